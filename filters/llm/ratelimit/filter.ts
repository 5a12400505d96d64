// dgp.filter.llm.ratelimit's per-generation instance: decode finds the cells of every rule that counts the request,
// reserves them in one atomic store call (429 in the client's shape when one has no room), encode describes the binding
// rule in the client API's headers and drops the upstream's own, and onComplete — which always runs: end of stream,
// abort, upstream error, local reply — charges the real token usage and frees the concurrency slots.
import { randomUUID } from 'node:crypto';
import {
  Continue, RequestModel, type HookResult, type HttpFilter, type MaybePromise, type RequestContext, type WorkerPoolApi,
} from '../../../core/index.js';
import { LlmExchangeKey, PrincipalAttr, clientApiOf, clientRouteOf, isEmbedding, renderLlmLocalReply, renderLlmStreamError } from '../../../core/llm/index.js';
import { adjustments, finalUsage, type Adjustment } from './charge.js';
import { costOf, outputCap, promptTokens, type TokenUsage } from './estimate.js';
import { applyUpstreamHeaders, limitHeaders, type CellState } from './headers.js';
import type { Admission, Limiter, RateCharge } from './limiter.js';
import type { RateLimitMetrics } from './metrics.js';
import { refuse } from './reply.js';
import { CellCache, cellsOf, principalRules, type Cell, type CompiledRule } from './rules.js';
import type { RateLimitConfig } from './schema.js';
import { RequestLimits, RequestLimitsKey } from './state.js';
import { storeUnavailable } from './errors.js';

type Obj = Record<string, unknown>;
/** A request without a JSON body (GET /v1/models) reserves no tokens. */
const NOTHING: TokenUsage = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
const GEMINI_MODEL = /\/models\/([^/:]+):/;
const NONE: readonly CompiledRule[] = [];
const NO_ADJUSTMENTS: readonly Adjustment[] = [];
const ONLY_WITHOUT_USAGE = { onlyWithoutUsage: true } as const;

export class RateLimitFilter implements HttpFilter {
  readonly renderLocalReply = renderLlmLocalReply;
  readonly renderStreamError = renderLlmStreamError;
  readonly #needsModel: boolean;
  readonly #cellCache: CellCache;
  /** A configured rule counts tokens: every request with a JSON body estimates its cost. */
  readonly #tokens: boolean;
  readonly #replyOpts: { headers: boolean; concurrencyRetryMs: number };

  constructor(
    private readonly cfg: Readonly<RateLimitConfig>,
    private readonly rules: readonly CompiledRule[],
    private readonly limiter: Limiter,
    private readonly metrics: RateLimitMetrics,
    private readonly pool: WorkerPoolApi,
  ) {
    this.#needsModel = rules.some((r) => r.matches !== undefined || r.scope === 'model');
    this.#tokens = rules.some(countsTokens);
    this.#cellCache = new CellCache(rules, cfg.hash_tag);
    this.#replyOpts = { headers: cfg.response_headers, concurrencyRetryMs: cfg.concurrency_retry_after_ms };
  }

  decode(ctx: RequestContext): HookResult | Promise<HookResult> {
    const principal = ctx.get(PrincipalAttr);
    const own = this.cfg.key_limits && principal !== undefined ? principalRules(principal) : NONE;
    if (this.rules.length === 0 && own.length === 0) return Continue;
    const st = new RequestLimits();
    ctx.set(RequestLimitsKey, st);
    let admission: MaybePromise<HookResult>;
    try {
      admission = own.length === 0 ? this.#admit(ctx, st, this.rules, this.#tokens) : this.#admit(ctx, st, [...this.rules, ...own], this.#tokens || own.some(countsTokens));
    } catch (err) {
      admission = Promise.reject(err);
    }
    // The chain handles a rejection; onComplete only waits for the admission to settle.
    if (admission instanceof Promise) st.pending = admission;
    return admission;
  }

  /**
   * Synchronous once the body is parsed (or not needed), when the store answers synchronously (the memory store);
   * else one promise: the body's parse, then the admission.
   */
  #admit(ctx: RequestContext, st: RequestLimits, rules: readonly CompiledRule[], tokens: boolean): MaybePromise<HookResult> {
    const needsModel = this.#needsModel || (rules !== this.rules && rules.some((r) => r.matches !== undefined));
    if (!(tokens || (needsModel && ctx.get(RequestModel) === undefined)) || !hasJsonBody(ctx)) return this.#cells(ctx, st, rules, undefined);
    const parsed = ctx.request.jsonIfParsed?.();
    if (parsed !== undefined) return this.#cells(ctx, st, rules, objectOr(parsed.value));
    // A body that is not JSON is the proxy's to judge: no body object here.
    return ctx.request.json<unknown>().then(
      (v) => this.#cells(ctx, st, rules, objectOr(v)),
      () => this.#cells(ctx, st, rules, undefined),
    );
  }

  #cells(ctx: RequestContext, st: RequestLimits, rules: readonly CompiledRule[], body: Obj | undefined): MaybePromise<HookResult> {
    const model = ctx.get(RequestModel) ?? modelOf(ctx, body);
    const h = ctx.request.headers;
    const cells = cellsOf(rules, {
      principal: ctx.get(PrincipalAttr), model, route: ctx.route.id, ip: ctx.request.remoteAddress,
      header: (name) => { const v = h[name]; return Array.isArray(v) ? v[0] : v; },
    }, this.#cellCache);
    if (cells.length === 0) return Continue;
    if (!cells.some((c) => c.dimension === 'tokens')) return this.#reserve(ctx, st, cells);
    if (body === undefined) {
      st.estimate = NOTHING;
      return this.#reserve(ctx, st, cells);
    }
    const est = this.#estimate(ctx, body, model);
    if (est instanceof Promise) {
      return est.then((e) => {
        st.estimate = e;
        return this.#reserve(ctx, st, cells);
      });
    }
    st.estimate = est;
    return this.#reserve(ctx, st, cells);
  }

  #reserve(ctx: RequestContext, st: RequestLimits, cells: readonly Cell[]): MaybePromise<HookResult> {
    const rates: RateCharge[] = [];
    const leases: Cell[] = [];
    let zero: Cell | undefined;
    for (const cell of cells) {
      if (cell.limit === 0) zero ??= cell;
      if (cell.dimension === 'concurrency') leases.push(cell);
      else rates.push({ cell, cost: cell.dimension === 'requests' ? 1 : costOf(cell.rule.count, st.estimate!) });
    }
    if (zero !== undefined) {
      this.metrics.count('limited');
      this.metrics.limited.inc({ rule: zero.rule.id, dimension: zero.dimension });
      return refuse(ctx, { ok: false, reason: 'limit', cell: zero, limit: 0, divisor: 1, cost: 1, retryAfterMs: -1, states: [], inUse: 0 }, [], clientApiOf(ctx), this.#replyOpts);
    }
    st.holder = holderId();
    const a = this.limiter.admit(st.holder, rates, leases);
    return a instanceof Promise ? a.then((x) => this.#admitted(ctx, st, rates, leases, x)) : this.#admitted(ctx, st, rates, leases, a);
  }

  #admitted(ctx: RequestContext, st: RequestLimits, rates: RateCharge[], leases: Cell[], a: Admission): HookResult {
    if (!a.ok && a.reason === 'unavailable') {
      this.metrics.count('unavailable');
      return ctx.replyError(storeUnavailable(`rate limits cannot be checked: ${a.error.message}`, { cause: a.error, details: { retry_after: '1' } }));
    }
    const states: CellState[] = new Array<CellState>(a.states.length);
    for (let i = 0; i < states.length; i++) states[i] = { cell: rates[i]!.cell, state: a.states[i]! };
    if (!a.ok) {
      this.metrics.count('limited');
      this.metrics.limited.inc({ rule: a.cell.rule.id, dimension: a.cell.dimension });
      return refuse(ctx, a, states, clientApiOf(ctx), this.#replyOpts);
    }
    this.metrics.count(a.via === 'store' ? 'admitted' : a.via);
    st.admitted = true;
    st.store = a.store;
    st.rates = rates;
    st.leases = leases;
    st.states = states;
    st.divisor = a.divisor;
    if (a.store !== undefined && leases.length > 0) this.metrics.slots(leases.length);
    for (const r of rates) if (r.cell.dimension === 'tokens') this.metrics.tokens(r.cell.rule.id, 'reserved', r.cost);
    return Continue;
  }

  #estimate(ctx: RequestContext, body: Obj, model: string | undefined): MaybePromise<TokenUsage> {
    const output = isEmbedding(clientRouteOf(ctx).operation) ? 0 : (outputCap(body) ?? this.cfg.default_output_tokens);
    const read = ctx.request.bodyIfRead?.();
    if (read === undefined) return ctx.request.body().then((b) => this.#usage(body, b.length, model, output));
    return this.#usage(body, read.length, model, output);
  }

  #usage(body: Obj, bytes: number, model: string | undefined, output: number): MaybePromise<TokenUsage> {
    const input = promptTokens(body, bytes, this.pool, this.cfg.tokenize_above_bytes, model);
    return input instanceof Promise ? input.then((n) => ({ input: n, output, cache_read: 0, cache_write: 0 })) : { input, output, cache_read: 0, cache_write: 0 };
  }

  encode(ctx: RequestContext): void {
    if (!ctx.replied) applyUpstreamHeaders(ctx.response.headers, this.cfg.upstream_ratelimit_headers);
    const st = ctx.get(RequestLimitsKey);
    if (st?.store === undefined) return;
    if (this.cfg.response_headers && st.states.length > 0) limitHeaders(clientApiOf(ctx), st.states, st.divisor, Date.now(), undefined, ctx.response.headers as Record<string, string>);
    if (st.estimate !== undefined) ctx.get(LlmExchangeKey)?.subscribe(st.onItem, ONLY_WITHOUT_USAGE);
  }

  onComplete(ctx: RequestContext): void | Promise<void> {
    const st = ctx.get(RequestLimitsKey);
    if (st === undefined) return;
    // A decode still running (cut by the timeout) is waited for, so what it admits is released too.
    if (st.pending !== undefined && !st.admitted) {
      const release = (): void | Promise<void> => this.#release(ctx, st);
      return st.pending.then(release, release);
    }
    return this.#release(ctx, st);
  }

  #release(ctx: RequestContext, st: RequestLimits): void | Promise<void> {
    const store = st.store;
    if (store === undefined || st.released) return;
    st.released = true;
    let adjust: readonly Adjustment[] = NO_ADJUSTMENTS;
    let done: void | Promise<void>;
    try {
      if (st.estimate !== undefined) adjust = adjustments(st, finalUsage(ctx, st));
    } finally {
      // Slots are freed whatever happened to the usage: a leaked slot would refuse this caller for lease_ms.
      done = this.limiter.reconcile(store, st.holder, adjust, st.leases);
    }
    const after = (): void => {
      if (st.leases.length > 0) this.metrics.slots(-st.leases.length);
      for (const a of adjust) this.metrics.tokens(a.cell.rule.id, 'charged', a.charged);
    };
    if (done instanceof Promise) return done.then(after);
    after();
  }
}

/** A lease holder id, unique per admission across processes (a client may reuse x-request-id): this process, a counter. */
const PROCESS_TOKEN = randomUUID();
let holders = 0;
const holderId = (): string => `${PROCESS_TOKEN}:${(holders++).toString(36)}`;

const countsTokens = (r: CompiledRule): boolean => r.rates.some((s) => s.dimension === 'tokens');

/** A POST / PUT whose body may be JSON (a body that is not JSON is the proxy's to judge). */
function hasJsonBody(ctx: RequestContext): boolean {
  const m = ctx.request.method;
  if (m !== 'POST' && m !== 'PUT') return false;
  const ct = ctx.request.headers['content-type'];
  return ct === undefined || ct.toLowerCase().includes('json');
}

const objectOr = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);

function modelOf(ctx: RequestContext, body: Obj | undefined): string | undefined {
  if (typeof body?.model === 'string' && body.model !== '') return body.model;
  const gemini = ctx.request.path.includes(':') ? GEMINI_MODEL.exec(ctx.request.path) : null;
  return gemini ? decodeURIComponent(gemini[1]!) : undefined;
}
