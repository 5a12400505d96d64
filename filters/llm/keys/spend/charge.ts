// What one request costs, decided once when its answer is over. The upstream's own usage, priced by the book, is the
// rule. A stream cut before its end (the client left, the upstream broke off) is charged at least the worst case held
// for it: the upstream bills what it generated before the cut reached it, which the client never saw. An answer with
// no usage is charged from the tokenizer's count, else the worst case. An error answer, or no upstream answer at all
// (a local reply, a cache hit), costs nothing.
import { LlmTokenUsage, UpstreamAttempts, type ClusterManagerApi, type RequestContext } from '../../../../core/index.js';
import { LlmExchangeKey, type LlmUsage, type PriceBook } from '../../../../core/llm/index.js';
import { priceProviderOf } from './request-estimate.js';
import type { SpendState } from './state.js';

export interface Charge {
  nanos: number;
  /**
   * usage: the upstream's report; counted: the tokenizer's count; hold: the worst case; error: the upstream answered
   * an error (nothing charged); none: no upstream answer at all.
   */
  basis: 'usage' | 'counted' | 'hold' | 'error' | 'none';
  /** false: the book has no price for the model (the hold is charged when there is one, else 0). */
  priced: boolean;
  /** The `llm_meta.provider` of the endpoint that answered. */
  provider: string | null;
  /** The model priced: the one the upstream's answer names, else the one it was sent. */
  model: string | null;
  endpoint: string | null;
  usage: LlmUsage | undefined;
  /** Where the price came from (the book's source tag or `override`); absent when nothing was priced. */
  source?: string;
}

export interface ChargeDeps {
  book: PriceBook;
  clusters: ClusterManagerApi;
}

const NONE: Charge = Object.freeze({ nanos: 0, basis: 'none', priced: true, provider: null, model: null, endpoint: null, usage: undefined });

/** True when a streamed 2xx answer did not end as the upstream meant it to (a unary answer was complete when read). */
export function wasCut(ctx: RequestContext): boolean {
  if (ctx.response.status >= 400 || ctx.response.body === undefined || Buffer.isBuffer(ctx.response.body)) return false;
  if (ctx.aborted) return true;
  const last = ctx.get(UpstreamAttempts)?.at(-1);
  return last !== undefined && !last.success;
}

function countedUsage(ctx: RequestContext): LlmUsage | undefined {
  const t = ctx.get(LlmTokenUsage);
  if (t === undefined || t.source !== 'estimated') return undefined;
  return { input: t.prompt, output: t.completion, cache_read: t.cached, cache_write: 0, reasoning: t.reasoning, total: t.prompt + t.completion };
}

/** The request's charge, or 'needs_estimate' when only the worst case can say and it was never computed. */
export function chargeOf(ctx: RequestContext, st: SpendState, deps: ChargeDeps): Charge | 'needs_estimate' {
  const lx = ctx.get(LlmExchangeKey);
  const target = lx?.target;
  if (lx === undefined || target === undefined) return NONE;
  const ep = deps.clusters.getEndpoint(target.cluster, target.endpoint);
  const where = { provider: ep === undefined ? target.provider : priceProviderOf(ep), model: lx.responseModel ?? target.model, endpoint: target.endpoint };
  const cut = wasCut(ctx);
  const reported = lx.usage();
  const usage = reported ?? (cut || ctx.response.status >= 400 ? undefined : countedUsage(ctx));
  if (usage === undefined && !cut) {
    // An error answer carries no usage and costs nothing; a 2xx without usage costs the worst case.
    if (ctx.response.status >= 400) return { ...NONE, ...where, basis: 'error' };
    return held(st, where, undefined, 0, true);
  }
  let nanos = 0;
  let priced = true;
  let source: string | undefined;
  if (usage !== undefined) {
    let p = deps.book.price(where.provider, where.model, usage);
    // A model name the book does not know (a new dated snapshot): priced as the model it was sent for.
    if (!p.known && where.model !== target.model) {
      p = deps.book.price(where.provider, target.model, usage);
      if (p.known) where.model = target.model;
    }
    // An unpriced model still spends a budget: the hold is charged rather than nothing.
    if (!p.known) return held(st, where, usage, 0, false, st.hold !== undefined);
    nanos = p.nanos;
    source = p.source;
  }
  if (!cut) {
    const c: Charge = { nanos, basis: reported !== undefined ? 'usage' : 'counted', priced, provider: where.provider, model: where.model, endpoint: where.endpoint, usage };
    if (source !== undefined) c.source = source;
    return c;
  }
  const c = held(st, where, usage, nanos, priced);
  return c === 'needs_estimate' || source === undefined ? c : { ...c, source };
}

/** The worst case held for the request (at least `atLeast`); needs the estimate. */
function held(st: SpendState, where: Pick<Charge, 'provider' | 'model' | 'endpoint'>, usage: LlmUsage | undefined, atLeast: number, priced: boolean, wanted = true): Charge | 'needs_estimate' {
  if (!wanted) return { nanos: 0, basis: 'usage', priced, ...where, usage };
  if (st.estimate === undefined) return 'needs_estimate';
  const hold = st.estimate.known ? st.estimate.nanos : 0;
  return hold > atLeast ? { nanos: hold, basis: 'hold', priced, ...where, usage } : { nanos: atLeast, basis: usage === undefined ? 'hold' : 'usage', priced, ...where, usage };
}
