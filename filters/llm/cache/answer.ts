// The answer of a miss as a record (complete and successful only), and what serving a record again saves.
import { UpstreamAttempts, type RequestContext } from '../../../core/index.js';
import { LlmExchangeKey, type PriceBook } from '../../../core/llm/index.js';
import { RECORD_VERSION, type CacheRecord, type RecordBuilder } from './record.js';
import type { CacheState } from './state.js';

const ANY_FINISH: ReadonlySet<string> = new Set(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

/**
 * The upstream's answer reached its end successfully: a 200 from an upstream attempt that succeeded, not replaced by
 * a local reply, and read whole — by the client, or (the client gone) for the coalesced followers (st.drained).
 */
export function answerComplete(ctx: RequestContext, st: CacheState): boolean {
  const lx = ctx.get(LlmExchangeKey);
  if (lx?.target === undefined || ctx.replied || (ctx.aborted && st.drained !== true) || ctx.response.status !== 200) return false;
  const last = ctx.get(UpstreamAttempts)?.at(-1);
  return last === undefined || last.success;
}

/** The answer as a record when it is complete and successful (any finish reason: followers may take it). */
export function recordOf(ctx: RequestContext, st: CacheState, b: RecordBuilder): CacheRecord | undefined {
  const lx = ctx.get(LlmExchangeKey);
  if (lx === undefined || !answerComplete(ctx, st)) return undefined;
  const settled = lx.settle(ctx);
  // A copy: the record is shared by later hits (the in-process LRU keeps it parsed), the exchange's object is not ours.
  const usage = settled === undefined || settled === null ? null : { ...settled };
  const choices = b.choices(ANY_FINISH);
  if (choices === undefined) return undefined;
  const t = lx.target!;
  return {
    v: RECORD_VERSION,
    stored_at: Date.now(),
    ttl_ms: st.ttlMs,
    client_model: st.clientModel,
    model: lx.reportedModel() ?? st.clientModel,
    provider: t.provider,
    // A pure pass-through names no upstream model without parsing the body: it is the one the client asked for.
    upstream_model: t.model || st.clientModel,
    ...(lx.responseModel === undefined ? {} : { response_model: lx.responseModel }),
    choices,
    usage,
  };
}

/**
 * What the answer cost when it was generated (the bundled price book), i.e. what serving it again saves; priced as
 * the keys filter prices — the model the answer names, else (a snapshot the book does not know) the one sent.
 */
export function savedNanos(book: PriceBook, rec: CacheRecord): number | undefined {
  const { usage, provider } = rec;
  if (usage === null || provider === undefined) return undefined;
  for (const model of [rec.response_model, rec.upstream_model]) {
    if (model === undefined) continue;
    try {
      const p = book.price(provider, model, usage);
      if (p.known) return p.nanos;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
