// The store contract shared by keys, budgets, rate limits and caches: string values with TTL, atomic counters and an
// atomic multi-key reservation, implemented by dgp.adapter.store.memory (in-process) and dgp.adapter.store.redis.
// Rules:
// - Counter amounts and limits MUST be safe integers (Redis INCRBY semantics): count tokens, requests or micro-units.
// - Every method of a shared store MAY reject with a coded DgpError (DGP_ERR_STORE_UNAVAILABLE when the backend is
//   unreachable); it MUST settle within the store's command timeout, never hang. The caller decides: fail open or closed.
// - Keys are the caller's; the store adds its configured key prefix.
import type { MaybePromise } from '../plugin-api.js';
import type { ServiceReadiness } from './define.js';

export interface StoreSetOptions {
  /** Expire the key this many milliseconds from now; absent: no expiry. */
  ttlMs?: number;
}

export interface StoreIncrOptions {
  /** Expiry set when the counter has none, i.e. when this call creates it (a fixed window: the key names the window, the TTL ends it). */
  ttlMs?: number;
}

/** One counter of a reservation: it may grow by `amount` only if the result stays at or below `limit`. */
export interface ReserveItem {
  key: string;
  amount: number;
  limit: number;
  /** Expiry set when the counter has none, i.e. when this reservation creates it. */
  ttlMs?: number;
}

export type ReserveResult =
  /** Every counter grew by its amount; `values` are the new values, in request order. */
  | { ok: true; values: number[] }
  /** Nothing changed: `failed` is the index of the first counter that would exceed its limit, `values` the current ones. */
  | { ok: false; failed: number; values: number[] };

export interface Store {
  /** The adapter kind behind it, e.g. `dgp.adapter.store.redis`. */
  readonly kind: string;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, opts?: StoreSetOptions): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /** Adds `by` (may be negative) to an integer counter, creating it at 0; returns the new value. */
  incrBy(key: string, by: number, opts?: StoreIncrOptions): Promise<number>;
  /** All-or-nothing check-and-add over several counters (rate limits and budgets reserve before the call). */
  reserve(items: readonly ReserveItem[]): Promise<ReserveResult>;
  readiness(): ServiceReadiness;
  close(): MaybePromise<void>;
}

/** What a store adapter's `create` returns: an adapter instance that also hands out its store. */
export interface StoreAdapterInstance {
  readonly store: Store;
  start(): MaybePromise<void>;
  stop(): MaybePromise<void>;
}

/** True for an adapter instance that provides a store (FactoryContext.store checks this). */
export function isStoreAdapter(instance: unknown): instance is StoreAdapterInstance {
  const s = (instance as { store?: Partial<Store> } | null)?.store;
  return typeof s === 'object' && s !== null && typeof s.get === 'function' && typeof s.reserve === 'function';
}

/** Checks reservation input the same way in every implementation (Redis would otherwise fail inside its script). */
export function checkReserveItems(items: readonly ReserveItem[]): void {
  for (const [i, it] of items.entries()) {
    for (const f of ['amount', 'limit'] as const) {
      if (!Number.isSafeInteger(it[f])) throw new TypeError(`reserve: items[${i}].${f} must be a safe integer, got ${it[f]}`);
    }
    if (it.ttlMs !== undefined && !(Number.isSafeInteger(it.ttlMs) && it.ttlMs > 0)) throw new TypeError(`reserve: items[${i}].ttlMs must be a positive integer`);
  }
}
