// The budget engine: reserve a request's worst-case cost against every applicable budget in one atomic store call
// (memory: synchronous; Redis: one script), settle it to the actual cost or release it, rebuild missing counters from
// the spend ledger once (SET NX), and fire soft alerts. A store failure is reported as DGP_ERR_STORE_UNAVAILABLE and
// fail_mode decides: closed rejects, open admits without a hold.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type DgpError, isDgpError, type HoldItem, type HoldRequest, type HoldResult, type MaybePromise, type SettleResult, type Store } from '../../../../core/index.js';
import type { KeyStore } from '../../../../core/llm/index.js';
import type { Budget } from './budgets.js';
import { initialiseCounter } from './counter-rebuild.js';
import { counterOf, DEFAULT_KEY_PREFIX, doneMarker, type BudgetCounter } from './counters.js';
import type { Admission, BudgetEngineOptions, BudgetHold, FailMode, ReserveOptions, SettleOutcome } from './engine-types.js';
import type { BudgetDenial } from './exceeded.js';
import { SoftAlerts } from './soft-alert.js';

export type { Admission, BudgetEngineOptions, BudgetHold, FailMode, ReserveOptions, SettleOutcome } from './engine-types.js';

/** The counter store or the ledger cannot answer: expected outages that fail_mode handles. */
const OUTAGE_CODES = new Set(['DGP_ERR_STORE_UNAVAILABLE', 'DGP_ERR_KEYSTORE_UNAVAILABLE']);

/** Budgets whose current counter is remembered at once; past it the memo starts over. */
const COUNTER_MEMO_SIZE = 10_000;

const APPLIED: SettleOutcome = Object.freeze({ ok: true, applied: true });
const NOT_APPLIED: SettleOutcome = Object.freeze({ ok: true, applied: false });

export class BudgetEngine {
  readonly alerts: SoftAlerts;
  readonly #store: Store;
  readonly #ledger: Pick<KeyStore, 'sumSpend'> | undefined;
  readonly #leaseMs: number;
  readonly #markerTtlMs: number;
  readonly #failMode: FailMode;
  readonly #prefix: string;
  readonly #zeroCostExempt: boolean;
  readonly #log: Logger | undefined;
  /** Budget id → its counter in the current window (bounded: end users are many). */
  readonly #counters = new Map<string, BudgetCounter>();

  constructor(opts: BudgetEngineOptions) {
    this.#store = opts.store;
    this.#ledger = opts.ledger;
    this.#leaseMs = opts.leaseMs ?? 15 * 60_000;
    this.#markerTtlMs = opts.markerTtlMs ?? 24 * 3_600_000;
    this.#failMode = opts.failMode ?? 'closed';
    this.#prefix = opts.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.#zeroCostExempt = opts.zeroCostExempt ?? true;
    this.#log = opts.log;
    this.alerts = new SoftAlerts(this.#store, this.#prefix, { log: opts.log, ...opts.softAlerts });
  }

  /**
   * Holds `estimateNanos` against every budget at once, or holds nothing and names the first budget that refused.
   * Synchronous when the store answers synchronously (the memory store) and every counter exists. `idMayRepeat`
   * false: the caller vouches that `requestId` is used for this one request only (a fresh random id, settled or
   * released once); on a store whose calls run once (Store.callsRunOnce) no done marker is then checked or written.
   */
  reserve(budgets: readonly Budget[], estimateNanos: number, requestId: string, now = Date.now(), opts: ReserveOptions = {}, idMayRepeat = true): MaybePromise<Admission> {
    const exempt = estimateNanos === 0 && this.#zeroCostExempt;
    const n = exempt ? 0 : budgets.length;
    // Sized up front: an array grown by push starts with room for 17.
    const counters = new Array<BudgetCounter>(n);
    const items = new Array<HoldItem>(n);
    for (let i = 0; i < n; i++) {
      const c = this.#counterOf(budgets[i]!, now);
      counters[i] = c;
      items[i] = { key: c.key, amount: estimateNanos, limit: c.budget.limit_nanos, ttlMs: c.ttlMs };
    }
    const marker = idMayRepeat || this.#store.callsRunOnce !== true ? doneMarker(this.#prefix, requestId) : undefined;
    const hold: BudgetHold = { requestId, marker, amount: estimateNanos, counters, guarded: true };
    if (n === 0) return { ok: true, hold, duplicate: false };
    return this.#pass({ id: requestId, leaseMs: this.#leaseMs, marker, items }, hold, now, opts, 0);
  }

  /** One hold attempt; each pass initialises at most one missing counter, so the passes are bounded. */
  #pass(req: HoldRequest, hold: BudgetHold, now: number, opts: ReserveOptions, pass: number): MaybePromise<Admission> {
    let r: MaybePromise<HoldResult>;
    try {
      r = this.#store.hold(req);
    } catch (err) {
      return this.#reserveFailed(err, hold);
    }
    if (r instanceof Promise) return r.then((x) => this.#held(x, req, hold, now, opts, pass), (err: unknown) => this.#reserveFailed(err, hold));
    return this.#held(r, req, hold, now, opts, pass);
  }

  #held(r: HoldResult, req: HoldRequest, hold: BudgetHold, now: number, opts: ReserveOptions, pass: number): MaybePromise<Admission> {
    if (r.ok) return { ok: true, hold, duplicate: r.duplicate };
    if (r.reason === 'settled') return { ok: false, reason: 'duplicate_request' };
    const counters = hold.counters;
    if (r.reason === 'missing') {
      if (pass >= counters.length) throw new Error(`budget counters for request ${hold.requestId} kept disappearing while they were initialised`);
      return this.#initialise(counters[r.failed]!, now).then(
        () => this.#pass(req, hold, now, opts, pass + 1),
        (err: unknown) => this.#reserveFailed(err, hold),
      );
    }
    const c = counters[r.failed]!;
    const denial: BudgetDenial = {
      budget: c.budget, limit_nanos: c.budget.limit_nanos, spent_nanos: r.settled[r.failed]!, held_nanos: r.held[r.failed]!,
      requested_nanos: hold.amount, reset_at: Number.isFinite(c.window.end) ? c.window.end : null,
    };
    return opts.fallback_model === undefined ? { ok: false, reason: 'budget_exceeded', denial } : { ok: false, reason: 'budget_exceeded', denial, fallback_model: opts.fallback_model };
  }

  #reserveFailed(err: unknown, hold: BudgetHold): Admission {
    const error = this.#unavailable(err, 'reserve', hold);
    return this.#failMode === 'open' ? { ok: true, hold: { ...hold, guarded: false }, duplicate: false } : { ok: false, reason: 'store_unavailable', error };
  }

  /**
   * Replaces the hold with the actual cost (it may exceed the hold); once per request id. Synchronous when the store
   * answers synchronously and no soft limit was reached.
   */
  settle(hold: BudgetHold, actualNanos: number): MaybePromise<SettleOutcome> {
    if (hold.counters.length === 0) return NOT_APPLIED;
    let r: MaybePromise<SettleResult>;
    try {
      r = this.#store.settle({
        id: hold.requestId, marker: hold.marker, markerTtlMs: this.#markerTtlMs,
        items: hold.counters.map((c) => ({ key: c.key, amount: actualNanos })),
      });
    } catch (err) {
      return { ok: false, error: this.#unavailable(err, 'settle', hold) };
    }
    if (r instanceof Promise) return r.then((x) => this.#settled(x, hold), (err: unknown) => ({ ok: false, error: this.#unavailable(err, 'settle', hold) }));
    return this.#settled(r, hold);
  }

  #settled(r: SettleResult, hold: BudgetHold): MaybePromise<SettleOutcome> {
    if (!r.applied) return NOT_APPLIED;
    const settled = r.settled;
    let alerts: Promise<unknown>[] | undefined;
    for (const [i, c] of hold.counters.entries()) {
      // Only budgets with a soft limit that spend reached can alert: the rest cost no store call (and no await).
      const soft = c.budget.soft_nanos;
      if (soft !== null && settled[i]! >= soft) {
        (alerts ??= []).push(this.alerts.check(c, settled[i]!).catch((err: unknown) => this.#log?.warn({ err }, `soft budget alert check failed for ${c.budget.id}`)));
      }
    }
    return alerts === undefined ? APPLIED : Promise.all(alerts).then(() => APPLIED);
  }

  /**
   * The counter of a budget for the window containing `now`: the last one is reused while its window lasts (its TTL
   * is worked out again, the rest is the same), so a request builds no key string.
   */
  #counterOf(b: Budget, now: number): BudgetCounter {
    const last = this.#counters.get(b.id);
    if (last !== undefined && last.budget.duration === b.duration && now >= last.window.start && now < last.window.end) {
      const ttlMs = Number.isFinite(last.window.end) ? Math.max(1, last.window.end - now + this.#leaseMs) : undefined;
      return { budget: b, window: last.window, key: last.key, ttlMs };
    }
    const c = counterOf(b, now, this.#prefix, this.#leaseMs);
    if (this.#counters.size >= COUNTER_MEMO_SIZE) this.#counters.clear();
    this.#counters.set(b.id, c);
    return c;
  }

  /** Drops the hold without charging (error before the upstream, abort before it, a cache hit). */
  release(hold: BudgetHold): Promise<SettleOutcome> {
    return Promise.resolve(this.settle(hold, 0));
  }

  /** The settled spend of a budget in the window containing `now`; undefined while its counter is absent. */
  async spent(budget: Budget, now = Date.now()): Promise<number | undefined> {
    const v = await this.#store.get(counterOf(budget, now, this.#prefix, this.#leaseMs).key);
    return v === undefined ? undefined : Number(v);
  }

  /**
   * Settled spend and live holds of a budget in the window containing `now`, read with a hold of 0 that expires at
   * once (the store keeps holds beside the counter and reads them only atomically). `spent` is undefined while the
   * counter is absent (no request in this window yet).
   */
  async status(budget: Budget, now = Date.now()): Promise<{ spent: number | undefined; held: number; window: BudgetCounter['window'] }> {
    const c = counterOf(budget, now, this.#prefix, this.#leaseMs);
    const id = `status:${randomUUID()}`;
    const r = await this.#store.hold({ id, leaseMs: 1, marker: doneMarker(this.#prefix, id), items: [{ key: c.key, amount: 0, limit: Number.MAX_SAFE_INTEGER, ttlMs: c.ttlMs }] });
    if (!r.ok) return { spent: undefined, held: 0, window: c.window };
    return { spent: r.settled[0], held: r.held[0]!, window: c.window };
  }

  /**
   * Initialises each budget's counter for the window containing `now` from the ledger, only where it is absent (SET
   * NX): any number of instances may rebuild at once and the counter is set once. Returns which were written.
   */
  async rebuild(budgets: readonly Budget[], now = Date.now()): Promise<boolean[]> {
    return Promise.all(budgets.map((b) => this.#initialise(counterOf(b, now, this.#prefix, this.#leaseMs), now)));
  }

  #initialise(c: BudgetCounter, now: number): Promise<boolean> {
    return initialiseCounter({ store: this.#store, ledger: this.#ledger, log: this.#log }, c, now);
  }

  /** Logs a store or ledger outage and returns its coded error; any other failure is a bug and is thrown. */
  #unavailable(err: unknown, op: 'reserve' | 'settle', hold: BudgetHold): DgpError {
    if (!isDgpError(err) || !OUTAGE_CODES.has(err.code)) throw err;
    const outcome = op === 'settle' ? 'not counted (the ledger still records it)' : this.#failMode === 'open' ? 'admitted without a hold' : 'rejected';
    this.#log?.warn({ err: err.message, code: err.code, reqId: hold.requestId, fail_mode: this.#failMode }, `budget ${op} failed: ${err.message}; fail_mode ${this.#failMode}: ${outcome}`);
    return err;
  }
}
