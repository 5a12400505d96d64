// One admission against the store, and what on_store_error does when the store cannot answer: open admits without
// limits, closed refuses (503), local limits in this process with every limit divided by expected_instances. The
// outage state lives in a host service (one per store id), so GET /ready shows it and it survives reloads.
import type { Logger } from 'pino';
import {
  MEMORY_STORE_DEFAULTS, MemoryStore, defineService, isDgpError, type AdmitResult, type DgpError, type LeaseCell, type MaybePromise, type RateAdjustment,
  type RateCell, type RateState, type Store,
} from '../../../core/index.js';
import type { RateLimitMetrics } from './metrics.js';
import type { Cell } from './rules.js';

export type StoreErrorMode = 'open' | 'closed' | 'local';

/** Per store id: the outage state and this process's local fallback store. */
export interface StoreStatus {
  readonly store: string;
  readonly local: MemoryStore;
  errors: number;
  lastError: string | undefined;
  /** Date.now() of the first failure since the store last answered; undefined while it answers. */
  failingSince: number | undefined;
}

export const storeStatusService = defineService<StoreStatus, string>({
  name: 'dgp.filter.llm.ratelimit',
  create: (store) => ({ store, local: new MemoryStore({ ...MEMORY_STORE_DEFAULTS, shared: false }), errors: 0, lastError: undefined, failingSince: undefined }),
  close: (s) => s.local.close(),
  // Degraded, not down: requests keep being served (or refused) by on_store_error's rule.
  readiness: (s) => ({
    ready: true,
    store: s.store,
    store_errors: s.errors,
    degraded: s.failingSince !== undefined,
    ...(s.failingSince === undefined ? {} : { failing_since: new Date(s.failingSince).toISOString(), last_error: s.lastError }),
  }),
  instance: (store) => store,
});

export interface RateCharge {
  readonly cell: Cell;
  /** Units taken at admission. */
  readonly cost: number;
}

export type Admission =
  /** Admitted; `store` holds the units and leases (undefined: admitted by `open` with nothing held). */
  | { ok: true; store: Store | undefined; states: RateState[]; via: 'store' | 'open' | 'local'; divisor: number }
  /** Refused by `cell` (its `limit` as applied: divided under `local`); states are before this request. */
  | { ok: false; reason: 'limit'; cell: Cell; limit: number; divisor: number; cost: number; retryAfterMs: number; states: RateState[]; inUse: number }
  | { ok: false; reason: 'unavailable'; error: DgpError };

export interface LimiterOptions {
  store: Store;
  storeId: string;
  status: StoreStatus;
  mode: StoreErrorMode;
  expectedInstances: number;
  leaseMs: number;
  metrics: RateLimitMetrics;
  log: Logger;
}

export class Limiter {
  constructor(private readonly o: LimiterOptions) {}

  /** Synchronous when the store answers synchronously (the memory store). */
  admit(id: string, rates: readonly RateCharge[], leases: readonly Cell[]): MaybePromise<Admission> {
    let r: MaybePromise<Admission>;
    try {
      r = this.#admitOn(this.o.store, id, rates, leases, 1, 'store');
    } catch (err) {
      return this.#fallback(err, id, rates, leases);
    }
    if (r instanceof Promise) return r.then((x) => this.#answered(x), (err: unknown) => this.#fallback(err, id, rates, leases));
    return this.#answered(r);
  }

  #answered(r: Admission): Admission {
    this.o.status.failingSince = undefined;
    return r;
  }

  /** The store failed: on_store_error decides. */
  #fallback(err: unknown, id: string, rates: readonly RateCharge[], leases: readonly Cell[]): MaybePromise<Admission> {
    const error = this.#failed(err, 'admit');
    if (this.o.mode === 'closed') return { ok: false, reason: 'unavailable', error };
    if (this.o.mode === 'open') return { ok: true, store: undefined, states: [], via: 'open', divisor: 1 };
    return this.#admitOn(this.o.status.local, id, rates, leases, this.o.expectedInstances, 'local');
  }

  /** Charges or refunds the token cells and frees the leases on the store that admitted; never throws nor rejects. */
  reconcile(store: Store, id: string, adjust: ReadonlyArray<{ cell: Cell; delta: number }>, leases: readonly Cell[]): void | Promise<void> {
    const divisor = store === this.o.status.local ? this.o.expectedInstances : 1;
    const rates: RateAdjustment[] = [];
    for (const { cell, delta } of adjust) if (delta !== 0) rates.push({ key: cell.key, delta, limit: scaled(cell.limit, divisor), periodMs: cell.spec!.periodMs });
    if (rates.length === 0 && leases.length === 0) return;
    const keys: string[] = new Array<string>(leases.length);
    for (let i = 0; i < leases.length; i++) keys[i] = leases[i]!.key;
    let r: MaybePromise<void>;
    try {
      r = store.reconcile({ id, rates, leases: keys });
    } catch (err) {
      this.#reconcileFailed(err, id);
      return;
    }
    if (r instanceof Promise) return r.catch((err: unknown) => this.#reconcileFailed(err, id));
  }

  /** The leases end by themselves after lease_ms; the token correction is lost. */
  #reconcileFailed(err: unknown, id: string): void {
    try {
      this.#failed(err, 'reconcile');
    } catch (bug) {
      this.o.log.error({ err: bug, reqId: id }, 'rate limits: reconcile failed');
    }
  }

  #admitOn(store: Store, id: string, rates: readonly RateCharge[], leases: readonly Cell[], divisor: number, via: 'store' | 'local'): MaybePromise<Admission> {
    const rateCells: RateCell[] = new Array<RateCell>(rates.length);
    for (let i = 0; i < rates.length; i++) {
      const { cell, cost } = rates[i]!;
      rateCells[i] = { key: cell.key, cost, limit: scaled(cell.limit, divisor), periodMs: cell.spec!.periodMs };
    }
    const leaseCells: LeaseCell[] = new Array<LeaseCell>(leases.length);
    for (let i = 0; i < leases.length; i++) leaseCells[i] = { key: leases[i]!.key, limit: scaled(leases[i]!.limit, divisor) };
    const r = store.admit({ id, leaseMs: this.o.leaseMs, rates: rateCells, leases: leaseCells });
    return r instanceof Promise ? r.then((x) => onStore(x, store, rates, leases, divisor, via)) : onStore(r, store, rates, leases, divisor, via);
  }

  #failed(err: unknown, op: 'admit' | 'reconcile'): DgpError {
    if (!isDgpError(err) || err.code !== 'DGP_ERR_STORE_UNAVAILABLE') throw err;
    const s = this.o.status;
    s.errors++;
    s.lastError = err.message;
    if (s.failingSince === undefined) {
      s.failingSince = Date.now();
      this.o.log.warn({ store: this.o.storeId, err: err.message, on_store_error: this.o.mode }, `rate limits: store ${this.o.storeId} unreachable; on_store_error ${this.o.mode} applies until it answers again`);
    }
    this.o.metrics.storeErrors.inc({ store: this.o.storeId, op, on_store_error: this.o.mode });
    return err;
  }
}

/** What one store answered, as the admission; `via`: the shared store or this process's fallback. */
function onStore(r: AdmitResult, store: Store, rates: readonly RateCharge[], leases: readonly Cell[], divisor: number, via: 'store' | 'local'): Admission {
  if (r.ok) return { ok: true, store, states: r.rates, via, divisor };
  const f = r.failed;
  const cell = f.kind === 'rate' ? rates[f.index]!.cell : leases[f.index]!;
  const base = { ok: false as const, reason: 'limit' as const, cell, limit: scaled(cell.limit, divisor), divisor, retryAfterMs: r.retryAfterMs, states: r.rates };
  return f.kind === 'rate' ? { ...base, cost: rates[f.index]!.cost, inUse: 0 } : { ...base, cost: 1, inUse: r.leases[f.index]! };
}

/** A limit shared by `divisor` processes, each holding its share (at least 1). */
export const scaled = (limit: number, divisor: number): number => (divisor <= 1 ? limit : Math.max(1, Math.floor(limit / divisor)));
