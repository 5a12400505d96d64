// The hold-back window over one streamed text channel (one choice's content): text is released only once it lies
// `holdback` characters behind the newest text and every rule has seen it whole, so a match split over any number of
// chunks is redacted — or the stream blocked — before a byte of it leaves. A match still growing at the release
// point holds the release at its start; the window never exceeds `maxHold` characters.
import type { WorkerPoolApi } from '../../../core/index.js';
import type { Rule } from './compile.js';
import { redactText, resolveOverlaps, scan, ScanFailed, type Finding } from './detect/scan.js';

/** Released characters kept in front of the window so lookbehinds see what preceded it. */
const CONTEXT = 64;

export interface Step {
  /** Text that may go to the client now. */
  readonly release: string;
  /** The rule that blocks the answer (nothing more may be released). */
  readonly block?: Rule;
}

export interface WindowEvents {
  /** A finding became final (it is released masked, or only warned about): count it once. */
  fired(rule: Rule, f: Finding): void;
  /** A rule could not decide; returns true when that blocks (fail: closed). */
  undecided(rule: Rule, reason: string, err: unknown): boolean;
}

/** A match that ran to the end of the text without its closing marker (a PEM block still streaming). */
function isOpen(f: Finding, text: string): boolean {
  return f.detector.closer !== undefined && f.end === text.length && !f.detector.closer.test(text.slice(f.start, f.end));
}

export class HoldBackWindow {
  #pending = '';
  #context = '';
  /** An open-ended match (a PEM block) was cut at maxHold: drop text until its closing marker. */
  #suppress: RegExp | undefined;
  #dropped = '';

  constructor(
    private readonly rules: readonly Rule[],
    private readonly holdback: number,
    private readonly maxHold: number,
    private readonly pool: WorkerPoolApi,
    private readonly events: WindowEvents,
  ) {}

  get held(): number {
    return this.#pending.length;
  }

  /** New text; what may be released now. */
  push(text: string): Promise<Step> | Step {
    if (this.#suppress !== undefined) {
      // The closing marker may itself be split over chunks: the end of what was dropped is searched with the new text.
      const seen = this.#dropped + text;
      const m = this.#suppress.exec(seen);
      if (m === null) {
        this.#dropped = seen.slice(-CONTEXT);
        return { release: '' };
      }
      this.#suppress = undefined;
      this.#dropped = '';
      text = seen.slice(m.index + m[0].length);
    }
    this.#pending += text;
    if (this.#pending.length <= this.holdback) return { release: '' };
    return this.#step(false);
  }

  /** The channel ended: everything left, checked whole. */
  end(): Promise<Step> | Step {
    if (this.#pending === '') return { release: '' };
    return this.#step(true);
  }

  async #step(final: boolean): Promise<Step> {
    const base = this.#context.length;
    const text = this.#context + this.#pending;
    const all: Array<{ rule: Rule; f: Finding }> = [];
    for (const rule of this.rules) {
      let found: Finding[];
      try {
        found = await scan(this.pool, rule.detectors, [text], rule.budgetMs);
      } catch (err) {
        if (!(err instanceof ScanFailed)) throw err;
        if (this.events.undecided(rule, err.reason === 'timeout' ? 'timeout' : 'error', err)) return { release: '', block: rule };
        continue;
      }
      for (const f of found) if (f.end > base) all.push({ rule, f });
    }
    const overflow = this.#pending.length > this.maxHold;
    if (all.length === 0) {
      // Nothing found (the common case): release up to the point, no masking to compute.
      const cut = final || overflow ? text.length : text.length - this.holdback;
      const out = text.slice(base, cut);
      this.#pending = text.slice(cut);
      this.#context = (this.#context + out).slice(-CONTEXT);
      return { release: out };
    }
    // A block needs no release point: a match that can no longer grow (its regex ended before the newest text) stops
    // the answer at once.
    for (const { rule, f } of all) if (rule.action === 'block' && (final || overflow || f.end < text.length)) return { release: '', block: rule };
    let cut = final || overflow ? text.length : text.length - this.holdback;
    // A match across the release point, or still open (a PEM block), is held from its start; moving the point back
    // can put it inside another (overlapping) match, so repeat until no match straddles it.
    for (let moved = true; moved; ) {
      moved = false;
      for (const { f } of all) {
        const straddles = f.start < cut && f.end > cut;
        const held = !final && !overflow && f.start < cut && isOpen(f, text);
        if ((straddles || held) && cut > Math.max(base, f.start)) {
          cut = Math.max(base, f.start);
          moved = true;
        }
      }
    }
    const done = all.filter(({ f }) => f.end <= cut);
    for (const { rule } of done) if (rule.action === 'block') return { release: '', block: rule };
    for (const { rule, f } of done) this.events.fired(rule, f);
    const masked = resolveOverlaps(done.filter(({ rule }) => rule.action === 'redact').map(({ f }) => f));
    const open = overflow ? masked.find((f) => isOpen(f, text)) : undefined;
    if (open !== undefined) this.#suppress = open.detector.closer;
    // Findings that started in the context were released in part already; only their unreleased rest is masked.
    const region = text.slice(0, cut);
    const out = redactText(region, masked.map((f) => (f.start < base ? { ...f, start: base } : f))).slice(base);
    this.#pending = text.slice(cut);
    this.#context = (this.#context + out).slice(-CONTEXT);
    return { release: out };
  }
}
