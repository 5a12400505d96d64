// Input checks: the prompt's text slots (slots.ts) go through the rules in order. A block stops at once; a redaction
// rewrites the slots, so later rules (a webhook included) see the masked text, and the body is replaced once at the
// end so the proxy sends the masked prompt upstream; warnings are recorded for the header and the log.
import type { RequestContext, WorkerPoolApi } from '../../../core/index.js';
import type { WireApi } from '../../../core/llm/index.js';
import type { Rule } from './compile.js';
import { redactText, resolveOverlaps, scan, ScanFailed, type Finding } from './detect/scan.js';
import type { GuardrailMetrics } from './metrics.js';
import { lastTurn, requestSlots, type TextSlot } from './slots.js';
import type { GuardState } from './state.js';
import { callWebhook, WebhookFailed } from './webhook.js';
import { runSteps, type Steps } from './maybe-sync.js';

export interface InputDeps {
  readonly pool: WorkerPoolApi;
  readonly metrics: GuardrailMetrics;
  /** The client asked for a stream by its path (Gemini streamGenerateContent). */
  readonly streaming: boolean;
}

/** The rule that refused the prompt, and why (a match, or a check that could not decide under fail: closed). */
export interface Refusal {
  readonly rule: Rule;
  readonly undecided: boolean;
}

const REQUEST_TYPES: Record<WireApi, string> = { openai: 'chatComplete', anthropic: 'messages', gemini: 'generateContent' };

function selected(rule: Rule, slots: readonly TextSlot[], last: number): TextSlot[] {
  return slots.filter((s) => rule.roles.has(s.role) && (rule.scope === 'all' || s.turn === last));
}

/** Runs every input rule; returns the refusal, or undefined when the prompt may go on (perhaps masked). */
export function checkInput(ctx: RequestContext, api: WireApi, rules: readonly Rule[], deps: InputDeps, st: GuardState): Refusal | undefined | Promise<Refusal | undefined> {
  return runSteps(inputSteps(ctx, api, rules, deps, st));
}

function* inputSteps(ctx: RequestContext, api: WireApi, rules: readonly Rule[], deps: InputDeps, st: GuardState): Steps<Refusal | undefined> {
  const parsed = ctx.request.jsonIfParsed?.();
  let body: unknown = parsed !== undefined ? parsed.value : yield ctx.request.json<unknown>().catch(() => undefined);
  if (typeof body !== 'object' || body === null) return undefined;
  let slots = requestSlots(api, body);
  let changed = false;
  const fire = (rule: Rule, count: number): void => {
    deps.metrics.decisions.inc({ rule: rule.name, check: rule.check, stage: 'input', action: rule.action });
    st.verdicts.push({ rule: rule.name, check: rule.check, stage: 'input', action: rule.action, count });
  };
  const undecided = (rule: Rule, reason: string, err: unknown): Refusal | undefined => {
    deps.metrics.errors.inc({ rule: rule.name, check: rule.check, stage: 'input', reason, fail: rule.fail });
    st.verdicts.push({ rule: rule.name, check: rule.check, stage: 'input', action: 'error', count: 0 });
    ctx.log.warn({ rule: rule.name, check: rule.check, reason, fail: rule.fail, err }, `guardrail ${rule.name} could not decide; fail ${rule.fail}`);
    return rule.fail === 'closed' ? { rule, undecided: true } : undefined;
  };
  // Redactions of the regex rules are collected against the text as it came and applied together (overlapping
  // matches of two rules merge), before a rule that reads the text whole (webhook, max_tokens) and at the end.
  const pending = new Map<TextSlot, Finding[]>();
  const flush = (): void => {
    for (const [slot, found] of pending) {
      slot.text = redactText(slot.text, resolveOverlaps(found));
      slot.write();
      changed = true;
    }
    pending.clear();
  };
  for (const rule of rules) {
    if (rule.check === 'webhook' || rule.check === 'max_tokens') flush();
    const mine = selected(rule, slots, lastTurn(slots));
    if (rule.check === 'webhook') {
      let v;
      try {
        v = (yield callWebhook(rule, {
          eventType: 'beforeRequestHook',
          requestType: REQUEST_TYPES[api],
          request: { json: body, text: mine.map((s) => s.text).join('\n'), isStreamingRequest: deps.streaming || isStreaming(body) },
          metadata: { rule: rule.name, route: ctx.route.id ?? '' },
        })) as Awaited<ReturnType<typeof callWebhook>>;
      } catch (err) {
        const r = undecided(rule, err instanceof WebhookFailed ? err.reason : 'error', err);
        if (r) return r;
        continue;
      }
      if (rule.action === 'redact' && v.transformed !== undefined) {
        fire(rule, 1);
        body = v.transformed;
        slots = requestSlots(api, body);
        changed = true;
        continue;
      }
      if (v.verdict) continue;
      fire(rule, 1);
      if (rule.action === 'block') return { rule, undecided: false };
      continue;
    }
    if (rule.check === 'max_tokens') {
      const tokens = (yield promptTokens(mine.map((s) => s.text).join('\n'), rule.limit!, deps.pool, modelOf(body, ctx.request.path))) as number;
      if (tokens <= rule.limit!) continue;
      fire(rule, 1);
      if (rule.action === 'block') return { rule, undecided: false };
      continue;
    }
    let findings: Finding[];
    try {
      findings = (yield scan(deps.pool, rule.detectors, mine.map((s) => s.text), rule.budgetMs)) as Finding[];
    } catch (err) {
      if (!(err instanceof ScanFailed)) throw err;
      const r = undecided(rule, err.reason === 'timeout' ? 'timeout' : 'error', err);
      if (r) return r;
      continue;
    }
    if (rule.check === 'allow') {
      if (mine.length === 0 || findings.length > 0) continue;
      fire(rule, 1);
      if (rule.action === 'block') return { rule, undecided: false };
      continue;
    }
    if (findings.length === 0) continue;
    for (const f of findings) deps.metrics.findings.inc({ rule: rule.name, entity: f.detector.entity, stage: 'input' });
    fire(rule, findings.length);
    if (rule.action === 'block') return { rule, undecided: false };
    if (rule.action === 'redact') {
      for (const f of findings) {
        const slot = mine[f.text]!;
        const list = pending.get(slot) ?? [];
        list.push({ ...f, text: 0 });
        pending.set(slot, list);
      }
    }
  }
  flush();
  if (changed) ctx.request.setBody(body as object);
  return undefined;
}

function isStreaming(body: unknown): boolean {
  return (body as { stream?: unknown }).stream === true;
}

/** The requested model: the body's `model`, or Gemini's from the path. */
function modelOf(body: unknown, path: string): string | undefined {
  const m = (body as { model?: unknown }).model;
  if (typeof m === 'string' && m !== '') return m;
  const g = /\/models\/([^/:]+):/.exec(path);
  return g ? decodeURIComponent(g[1]!) : undefined;
}

/**
 * Prompt tokens, counted by the worker pool's tokenizer (the model's encoding when known, else o200k_base) only when
 * the UTF-8 size could exceed the limit (a token is at least one byte); the bytes / 4 estimate when the pool cannot.
 */
async function promptTokens(text: string, limit: number, pool: WorkerPoolApi, model: string | undefined): Promise<number> {
  const bytes = Buffer.byteLength(text);
  if (bytes <= limit) return bytes;
  try {
    const r = await pool.run<{ count: number }>('tokenize', { text, fallbackEncoding: 'o200k_base', ...(model === undefined ? {} : { model }) });
    return r.count;
  } catch {
    return Math.ceil(bytes / 4);
  }
}
