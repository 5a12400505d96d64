// The keys filter's cost and budget step. decode: once the principal is known, every applicable budget must hold the
// request's worst case before the upstream is called (or on_exhaust.fallback_model takes over; else a 429 in the
// client's shape). complete: the request is charged once — priced from the upstream's usage — the hold is settled
// to that amount (released when nothing is charged), and the charge goes to the access log, the metrics and the
// spend ledger. Every entered request reaches complete (onComplete always runs), so no hold outlives its request;
// a crashed process's holds end with their lease.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { addAccessLogFields, Continue, type ClusterManagerApi, type HookResult, type MaybePromise, type RequestContext } from '../../../../core/index.js';
import { LlmCacheOutcome, LlmChargeAttr, LlmExchangeKey, StreamUsageWanted, formatUsd, type Principal, type PriceBook } from '../../../../core/llm/index.js';
import { applicableBudgets, type Budget } from '../budget/budgets.js';
import type { Admission, BudgetEngine, BudgetHold, ReserveOptions, SettleOutcome } from '../budget/engine.js';
import { budgetExceededError, type BudgetDenial } from '../budget/exceeded.js';
import { unknownPrice } from '../errors.js';
import type { LedgerWriter } from '../ledger-writer.js';
import type { BudgetsConfig } from '../spend-schema.js';
import { chargeOf, type Charge } from './charge.js';
import { switchModel } from './fallback.js';
import { ledgerRowOf } from './ledger-row.js';
import type { SpendMetrics } from './metrics.js';
import { estimateFromBody, estimateRequest, type EstimateDeps } from './request-estimate.js';
import { SpendStateKey, type Estimate, type SpendState } from './state.js';
import type { Subjects } from './subjects.js';

export interface SpendGuardDeps {
  cfg: Readonly<BudgetsConfig>;
  book: PriceBook;
  clusters: ClusterManagerApi;
  engine: BudgetEngine;
  ledger: LedgerWriter | undefined;
  metrics: SpendMetrics;
  log: Logger;
}

/** Models whose budgets one principal remembers at once (clients name models). */
const MODELS_PER_PRINCIPAL = 64;

const NO_FALLBACK: ReserveOptions = Object.freeze({});

export class SpendGuard {
  readonly #estimate: EstimateDeps;
  readonly #budgets = new WeakMap<Readonly<Principal>, Map<string, Budget[]>>();

  constructor(private readonly d: SpendGuardDeps) {
    this.#estimate = { book: d.book, clusters: d.clusters, outputReserveTokens: d.cfg.output_reserve_tokens };
  }

  /**
   * After the principal is published, with its budget subjects (the filter looked up its team and user): holds the
   * worst case against every budget, or answers for the budget. `body`: the request's parsed JSON when the filter has
   * read it already (undefined when it is not JSON); the hold is then taken without waiting, where the store allows.
   */
  admit(ctx: RequestContext, principal: Readonly<Principal>, model: string | undefined, subjects: Subjects, body?: { value: unknown }): MaybePromise<HookResult> {
    // Cost needs the final usage of every answer, streams included.
    ctx.set(StreamUsageWanted, true);
    const st: SpendState = { principal, model, requestedModel: undefined, spendId: ctx.id, hold: undefined, estimate: undefined, charge: undefined, done: false };
    ctx.set(SpendStateKey, st);
    const budgets = this.#budgetsFor(principal, st.model ?? '', subjects);
    if (budgets.length === 0) return Continue;
    const bytes = ctx.request.bodyIfRead?.();
    if (body === undefined || bytes === undefined) return this.#reserve(ctx, st, subjects, budgets, false);
    return this.#reserveWith(ctx, st, subjects, budgets, false, estimateFromBody(ctx, this.#estimate, st.model, bytes.length, body.value));
  }

  /**
   * The budgets a request must pass. They follow from the published principal (its team and user records and end user
   * are fixed with it) and the model, so they are remembered per principal object and model.
   */
  #budgetsFor(principal: Readonly<Principal>, model: string, subjects: Subjects): Budget[] {
    let byModel = this.#budgets.get(principal);
    const hit = byModel?.get(model);
    if (hit !== undefined) return hit;
    const budgets = applicableBudgets({ model, ...subjects });
    if (byModel === undefined) this.#budgets.set(principal, (byModel = new Map()));
    if (byModel.size >= MODELS_PER_PRINCIPAL) byModel.clear();
    byModel.set(model, budgets);
    return budgets;
  }

  async #reserve(ctx: RequestContext, st: SpendState, subjects: Subjects, budgets: Budget[], fellBack: boolean): Promise<HookResult> {
    return this.#reserveWith(ctx, st, subjects, budgets, fellBack, await estimateRequest(ctx, this.#estimate, st.model));
  }

  #reserveWith(ctx: RequestContext, st: SpendState, subjects: Subjects, budgets: Budget[], fellBack: boolean, est: Estimate): MaybePromise<HookResult> {
    st.estimate = est;
    if (!est.known && st.model !== undefined && this.d.cfg.unknown_price === 'block') {
      return ctx.replyError(unknownPrice(`model ${JSON.stringify(st.model)} has no price, and key ${st.principal.alias ?? st.principal.key_id} has a budget that must be charged for it`));
    }
    const fb = st.principal.limits.fallback_model;
    const opts = fb !== null && !fellBack && fb !== st.model ? { fallback_model: fb } : NO_FALLBACK;
    const r = this.d.engine.reserve(budgets, est.nanos, st.spendId, Date.now(), opts, idMayRepeat(ctx, st.spendId));
    return r instanceof Promise ? r.then((x) => this.#admitted(ctx, st, subjects, budgets, opts, x, false)) : this.#admitted(ctx, st, subjects, budgets, opts, r, false);
  }

  #admitted(ctx: RequestContext, st: SpendState, subjects: Subjects, budgets: Budget[], opts: ReserveOptions, r: Admission, retried: boolean): MaybePromise<HookResult> {
    if (!retried && ((r.ok && r.duplicate) || (!r.ok && r.reason === 'duplicate_request'))) {
      // The client chose a request id another request holds or held: this one gets its own.
      st.spendId = `${ctx.id}~${randomBytes(4).toString('hex')}`;
      const again = this.d.engine.reserve(budgets, st.estimate!.nanos, st.spendId, Date.now(), opts);
      return again instanceof Promise ? again.then((x) => this.#admitted(ctx, st, subjects, budgets, opts, x, true)) : this.#admitted(ctx, st, subjects, budgets, opts, again, true);
    }
    if (r.ok) {
      // The request was already completed (the connection manager's timeout ran onComplete while this hold was
      // being taken): nothing will settle it, so it is released now rather than left to its lease.
      if (st.done) this.d.engine.release(r.hold).catch((err: unknown) => ctx.log.error({ err }, 'keys: releasing a late budget hold failed'));
      else st.hold = r.hold;
      return Continue;
    }
    if (r.reason === 'store_unavailable') return ctx.replyError(r.error);
    if (r.reason === 'duplicate_request') throw new Error(`request id ${st.spendId} was settled before it was first held`);
    if (r.fallback_model !== undefined) return this.#tryFallback(ctx, st, subjects, r.denial, r.fallback_model);
    this.d.metrics.denied(r.denial.budget.scope, 'rejected');
    return ctx.replyError(budgetExceededError(r.denial));
  }

  async #tryFallback(ctx: RequestContext, st: SpendState, subjects: Subjects, denial: BudgetDenial, model: string): Promise<HookResult> {
    if (await switchModel(ctx, st, model)) {
      this.d.metrics.denied(denial.budget.scope, 'fallback');
      ctx.log.info({ budget: denial.budget.id, model: st.requestedModel, fallback_model: st.model }, `budget ${denial.budget.id} cannot admit the request; served by the fallback model ${st.model}`);
      return this.#reserve(ctx, st, subjects, applicableBudgets({ model: st.model ?? '', ...subjects }), true);
    }
    this.d.metrics.denied(denial.budget.scope, 'rejected');
    return ctx.replyError(budgetExceededError(denial));
  }

  /** encode (cost_header): a unary answer's cost, known before its head goes out when the upstream reported usage. */
  costHeader(ctx: RequestContext): void {
    const st = ctx.get(SpendStateKey);
    if (st === undefined || ctx.replied || !Buffer.isBuffer(ctx.response.body)) return;
    ctx.get(LlmExchangeKey)?.settle(ctx);
    const c = chargeOf(ctx, st, this.d);
    if (c === 'needs_estimate' || c.basis !== 'usage' || !c.priced) return;
    st.charge = c;
    ctx.response.headers['x-dgp-cost-usd'] = formatUsd(c.nanos);
  }

  /** onComplete: charge once, settle the hold, record. */
  complete(ctx: RequestContext): void | Promise<void> {
    const st = ctx.get(SpendStateKey);
    if (st === undefined || st.done) return;
    st.done = true;
    const lx = ctx.get(LlmExchangeKey);
    if (lx !== undefined && !lx.settled) lx.settle(ctx);
    const c = st.charge ?? chargeOf(ctx, st, this.d);
    if (c !== 'needs_estimate') return this.#finish(ctx, st, c);
    return estimateRequest(ctx, this.#estimate, st.model).then(
      (e) => {
        st.estimate = e;
        return this.#finish(ctx, st, chargeOf(ctx, st, this.d) as Charge);
      },
      (err: unknown) => {
        ctx.log.warn({ err }, 'keys: the worst-case estimate of a request without usage failed; charged 0');
        st.estimate = { nanos: 0, known: false };
        return this.#finish(ctx, st, chargeOf(ctx, st, this.d) as Charge);
      },
    );
  }

  #finish(ctx: RequestContext, st: SpendState, c: Charge): void | Promise<void> {
    st.charge = c;
    ctx.set(LlmChargeAttr, { nanos: c.nanos, basis: c.basis, priced: c.priced, price_source: c.source ?? null });
    const cache = ctx.get(LlmCacheOutcome);
    if (c.basis !== 'none' || cache === 'hit' || cache === 'semantic_hit') {
      const fields: Record<string, unknown> = { cost_usd: formatUsd(c.nanos) };
      if (c.basis !== 'usage') fields.cost_basis = c.basis;
      if (st.requestedModel !== undefined) fields.budget_fallback = st.model;
      addAccessLogFields(ctx, fields);
      if (c.model !== null && c.provider !== null) {
        if (!c.priced) this.d.metrics.unknown(c.model, c.provider);
        else if (c.nanos > 0) this.d.metrics.cost(c.model, c.provider, ctx.route.id, c.nanos);
      }
      if (this.d.ledger !== undefined && !this.d.ledger.enqueue(ledgerRowOf(ctx, st, c, cache))) this.d.metrics.ledgerDropped();
    }
    const hold = st.hold;
    if (hold === undefined || hold.counters.length === 0 || !hold.guarded) return;
    const r = this.d.engine.settle(hold, c.nanos);
    if (r instanceof Promise) return r.then((x) => settleMissed(ctx, hold, c, x));
    settleMissed(ctx, hold, c, r);
  }
}

/**
 * Whether another request may carry this id: the client chose it (its x-request-id; with generate_request_id the
 * header also carries a drawn id, which is counted as chosen), or it is a re-drawn `<id>~<hex>`. A random UUID the
 * gateway drew for this request alone never comes again.
 */
function idMayRepeat(ctx: RequestContext, id: string): boolean {
  return id !== ctx.id || ctx.request.headers['x-request-id'] === id;
}

function settleMissed(ctx: RequestContext, hold: BudgetHold, c: Charge, r: SettleOutcome): void {
  if (!r.ok) ctx.log.warn({ code: r.error.code, budget_hold_nanos: hold.amount, charged_nanos: c.nanos }, 'keys: the budget counters missed this request (the ledger has it)');
}
