// The store contract shared by keys, budgets, rate limits and caches: string values with TTL, atomic counters, an
// atomic multi-key reservation, leased holds settled once per id, and the rate limiter's cells and leases
// (limit-store.ts), implemented by dgp.adapter.store.memory (in-process, or in the primary process for every worker
// of `dgp start --workers N`) and dgp.adapter.store.redis.
// Rules:
// - Counter amounts and limits MUST be safe integers (Redis INCRBY semantics): count tokens, requests or micro-units.
// - Every method of a shared store MAY reject with a coded DgpError (DGP_ERR_STORE_UNAVAILABLE when the backend is
//   unreachable); it MUST settle within the store's command timeout, never hang. The caller decides: fail open or closed.
// - Keys are the caller's; the store adds its configured key prefix.
import type { MaybePromise } from '../plugin-api.js';
import type { ServiceReadiness } from './define.js';
import type { AdmitRequest, AdmitResult, ReconcileRequest } from './limit-store.js';

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

/** One budget counter of a hold: `key` holds the settled amount; the store keeps the live holds beside it. */
export interface HoldItem {
  key: string;
  amount: number;
  limit: number;
  /** Expiry (re)set on the counter's hold bookkeeping with each hold (plus the lease): the end of the counter's window. */
  ttlMs?: number;
}

/**
 * A leased, all-or-nothing hold named `id` (the request id). Each counter admits when settled + live holds + amount
 * stays at or below its limit. A hold lives `leaseMs`, then stops counting by itself (a crashed holder's holds do not
 * leak). `marker` is the key that settle writes: while it exists the id is done and a hold with it changes nothing.
 * Without a marker the caller vouches that `id` is never used again (a fresh random id, settled once): nothing is
 * checked or remembered past the settle, which saves a marker per request.
 */
export interface HoldRequest {
  id: string;
  leaseMs: number;
  marker?: string;
  items: readonly HoldItem[];
}

export type HoldResult =
  /** Held (or already held under this id: `duplicate`); `settled` and `held` per counter, after the hold. */
  | { ok: true; duplicate: boolean; settled: number[]; held: number[] }
  /** Nothing changed: counter `failed` would exceed its limit; its values before the hold. */
  | { ok: false; reason: 'limit'; failed: number; settled: number[]; held: number[] }
  /** Nothing changed: counter `failed` does not exist (a new window, a restarted Redis): initialise it, then retry. */
  | { ok: false; reason: 'missing'; failed: number }
  /** Nothing changed: this id was settled already. */
  | { ok: false; reason: 'settled' };

export interface SettleItem {
  key: string;
  /** The actual amount added to the counter (0 releases the hold). */
  amount: number;
}

export interface SettleRequest {
  id: string;
  /** The hold's marker. Absent (an id never reused): the settle always applies, so the caller settles an id once. */
  marker?: string;
  /** How long the done marker is kept: a duplicate settle or a late hold within it changes nothing. Needed with a marker. */
  markerTtlMs?: number;
  items: readonly SettleItem[];
}

export type SettleResult =
  /** The holds named `id` were removed and `amount` added in one step; `settled` per counter (-1: the counter was missing and is left to be initialised from its source). */
  | { applied: true; settled: number[] }
  /** The id was settled before: nothing changed. */
  | { applied: false };

/** One entry of an append-only stream (audit records): `id` makes its append idempotent. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

export interface StreamAppendOptions {
  /** Approximate cap of the stream: older entries are trimmed (Redis `XADD … MAXLEN ~`). */
  maxLen: number;
  /** How long an appended id is remembered: appending it again within this window does nothing. */
  dedupeTtlMs: number;
}

export interface Store {
  /** The adapter kind behind it, e.g. `dgp.adapter.store.redis`. */
  readonly kind: string;
  /**
   * True when every call runs exactly once, with no resend after a lost reply (the in-process store, and the
   * primary's store behind `--workers`). Only then may a caller hold and settle a fresh id without a marker: a
   * networked store may run a resent settle twice, and the marker is what makes the second one change nothing.
   */
  readonly callsRunOnce?: boolean;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, opts?: StoreSetOptions): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /** Adds `by` (may be negative) to an integer counter, creating it at 0; returns the new value. */
  incrBy(key: string, by: number, opts?: StoreIncrOptions): Promise<number>;
  /** All-or-nothing check-and-add over several counters (rate limits and budgets reserve before the call). */
  reserve(items: readonly ReserveItem[]): Promise<ReserveResult>;
  /** Writes the value only when the key does not exist; true when it was written (initialise-once, fire-once). */
  setIfAbsent(key: string, value: string, opts?: StoreSetOptions): Promise<boolean>;
  // The four per-request operations may answer synchronously (the in-process store does: a request then pays no
  // promise and no microtask turn for its budget or rate check); callers accept either, and a synchronous answer may
  // also throw where a promise would reject.
  /** A leased all-or-nothing hold over several counters (budgets hold a request's worst-case cost). */
  hold(req: HoldRequest): MaybePromise<HoldResult>;
  /** Replaces the holds named `req.id` with the actual amounts in one step; once per id. */
  settle(req: SettleRequest): MaybePromise<SettleResult>;
  /** Rate limits: every rate cell and lease at once, or none (one atomic step; see limit-store.ts). */
  admit(req: AdmitRequest): MaybePromise<AdmitResult>;
  /** Rate limits: corrects rate cells by the actual amounts and releases `req.id`'s leases. */
  reconcile(req: ReconcileRequest): MaybePromise<void>;
  /**
   * Optional (stores that can hold a shared stream: Redis): appends each entry once to a capped stream; an entry whose
   * id was appended within `dedupeTtlMs` is skipped, so a retried batch never doubles a record. Returns how many
   * entries were appended.
   */
  appendStream?(stream: string, entries: readonly StreamEntry[], opts: StreamAppendOptions): Promise<number>;
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

/** Checks hold and settle input the same way in every implementation. */
export function checkHoldRequest(req: HoldRequest | SettleRequest): void {
  if (typeof req.id !== 'string' || req.id === '') throw new TypeError('hold/settle: id must be a non-empty string');
  if (req.marker !== undefined && (typeof req.marker !== 'string' || req.marker === '')) throw new TypeError('hold/settle: marker must be a non-empty string when given');
  const lease = 'leaseMs' in req ? req.leaseMs : req.marker === undefined ? 1 : req.markerTtlMs;
  if (!(Number.isSafeInteger(lease) && lease! > 0)) throw new TypeError('hold/settle: leaseMs, and markerTtlMs with a marker, must be a positive integer');
  // Indexed: every budgeted request passes here twice, and an entries() iterator allocates per item.
  for (let i = 0; i < req.items.length; i++) {
    const it = req.items[i]!;
    if (!(Number.isSafeInteger(it.amount) && it.amount >= 0)) throw new TypeError(`hold/settle: items[${i}].amount must be a safe integer >= 0, got ${it.amount}`);
    if ('limit' in it && !Number.isSafeInteger(it.limit)) throw new TypeError(`hold: items[${i}].limit must be a safe integer, got ${it.limit}`);
    const ttl = (it as { ttlMs?: number }).ttlMs;
    if (ttl !== undefined && !(Number.isSafeInteger(ttl) && ttl > 0)) throw new TypeError(`hold: items[${i}].ttlMs must be a positive integer`);
  }
}
