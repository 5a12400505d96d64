// Runs detectors over texts and returns validated, non-overlapping findings. Built-in detectors are linear and run
// on the event loop for small inputs; user patterns — which may backtrack without bound — and large inputs go to the
// worker pool with a time budget, whose expiry terminates the worker that was running them.
import type { RegexSpansOutput, WorkerPoolApi } from '../../../../core/index.js';
import { triggersOf, type Detector } from './builtins.js';

export interface Finding {
  /** Index of the text in the list scanned. */
  readonly text: number;
  readonly start: number;
  readonly end: number;
  readonly detector: Detector;
}

/** Texts up to this many characters in total are scanned by trusted (linear) detectors on the event loop: ~3 ms. */
export const INLINE_CHARS = 256 * 1024;

/** The scan did not finish within its budget (or the pool refused it). */
export class ScanFailed extends Error {
  constructor(
    readonly reason: 'timeout' | 'pool',
    cause: unknown,
  ) {
    super(reason === 'timeout' ? 'pattern scan exceeded its time budget' : `pattern scan could not run: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

const compiled = new WeakMap<Detector, RegExp>();

function regexOf(d: Detector): RegExp {
  let re = compiled.get(d);
  if (re === undefined) compiled.set(d, (re = new RegExp(d.pattern.source, d.pattern.flags.includes('g') ? d.pattern.flags : `${d.pattern.flags}g`)));
  return re;
}

/** The last text's trigger set: the rules of one stage scan the same text one after the other. */
let lastText = '';
let lastTriggers = 0;

function triggers(text: string): number {
  if (text !== lastText) {
    lastText = text;
    lastTriggers = triggersOf(text);
  }
  return lastTriggers;
}

/** Synchronous scan: only for trusted (linear) detectors. */
export function scanInline(detectors: readonly Detector[], texts: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const d of detectors) {
    const re = regexOf(d);
    texts.forEach((text, i) => {
      if (d.needs !== undefined && (triggers(text) & d.needs) !== d.needs) return;
      if (d.gate !== undefined && !d.gate.test(text)) return;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        if (d.validate === undefined || d.validate(m[0])) out.push({ text: i, start: m.index, end: m.index + m[0].length, detector: d });
      }
    });
  }
  return resolveOverlaps(out);
}

/** Scans in the worker pool; rejects with ScanFailed when the budget runs out or the pool refuses. */
export async function scanInPool(pool: WorkerPoolApi, detectors: readonly Detector[], texts: readonly string[], budgetMs: number): Promise<Finding[]> {
  if (detectors.length === 0 || texts.length === 0) return [];
  let r: RegexSpansOutput;
  try {
    r = await pool.run<RegexSpansOutput>('regexSpans', { patterns: detectors.map((d) => d.pattern), texts }, { signal: AbortSignal.timeout(budgetMs) });
  } catch (err) {
    throw new ScanFailed((err as Error)?.name === 'AbortError' ? 'timeout' : 'pool', err);
  }
  const out: Finding[] = [];
  detectors.forEach((d, di) => {
    r.spans[di]!.forEach((spans, ti) => {
      for (let k = 0; k < spans.length; k += 2) {
        const start = spans[k]!;
        const end = spans[k + 1]!;
        if (d.validate === undefined || d.validate(texts[ti]!.slice(start, end))) out.push({ text: ti, start, end, detector: d });
      }
    });
  });
  return resolveOverlaps(out);
}

/** Whether scan() runs these detectors over `chars` characters inline (synchronously) rather than in the pool. */
export function inlineable(detectors: readonly Detector[], chars: number): boolean {
  return chars <= INLINE_CHARS && detectors.every((d) => d.trusted);
}

/** Inline when every detector is trusted and the texts are small; else the pool. */
export function scan(pool: WorkerPoolApi, detectors: readonly Detector[], texts: readonly string[], budgetMs: number): Finding[] | Promise<Finding[]> {
  let chars = 0;
  for (const t of texts) chars += t.length;
  if (inlineable(detectors, chars)) return scanInline(detectors, texts);
  return scanInPool(pool, detectors, texts, budgetMs);
}

/**
 * Per text, by start; overlapping findings are merged into one span under the earlier one's detector (its label), so
 * masking the merged span never leaves the tail of a longer, overlapping match in the clear.
 */
export function resolveOverlaps(findings: Finding[]): Finding[] {
  findings.sort((a, b) => a.text - b.text || a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  for (const f of findings) {
    const last = out[out.length - 1];
    if (last !== undefined && last.text === f.text && f.start < last.end) {
      if (f.end > last.end) out[out.length - 1] = { ...last, end: f.end };
      continue;
    }
    out.push(f);
  }
  return out;
}

/** The text with each finding (of this text, sorted, non-overlapping) replaced by its label. */
export function redactText(text: string, findings: readonly Finding[]): string {
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += text.slice(at, f.start) + f.detector.label;
    at = f.end;
  }
  return out + text.slice(at);
}
