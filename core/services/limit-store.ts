// The rate limiter's part of the store contract: rate cells (GCRA, the continuous-state leaky bucket form of ITU-T
// I.371) and concurrency leases, admitted all-or-nothing in one atomic step and reconciled once the request is over.
// Rules:
// - A rate cell allows `limit` units per `periodMs`: its level (units outstanding) drains at limit/periodMs and a cost
//   is admitted when level + cost <= limit. So a burst is at most `limit`, and there is no window edge to burst across.
// - admit checks every cell first and changes nothing unless all admit (a request passing one rule and failing a later
//   one holds nothing). Time is the store's own clock (Redis TIME; the process clock in memory), never the caller's.
// - A lease lives `leaseMs` and then stops counting by itself, so a crashed holder's slot comes back.
// - Costs and limits are safe integers; costs >= 0, limits >= 1.

/** One "N units per period" cell of an admission. */
export interface RateCell {
  key: string;
  /** Units the request takes: 1 for a request, its token estimate for tokens; 0 only reads the cell. */
  cost: number;
  /** Units per period, which is also the largest burst. */
  limit: number;
  periodMs: number;
}

/** One concurrency cell: at most `limit` live leases. */
export interface LeaseCell {
  key: string;
  limit: number;
}

export interface AdmitRequest {
  /** The lease holder (the request id); reconcile releases the leases taken under it. */
  id: string;
  leaseMs: number;
  rates: readonly RateCell[];
  leases: readonly LeaseCell[];
}

/** A rate cell's state: whole units still free and the time until the cell has drained completely. */
export interface RateState {
  remaining: number;
  resetMs: number;
}

export type AdmitResult =
  /** Every cell took its cost and every lease was taken; the states are after this admission. */
  | { ok: true; rates: RateState[]; leases: number[] }
  /**
   * Nothing changed: cell `failed` refused. `retryAfterMs` is the wait until that rate cell has room for the cost
   * (-1: the cost exceeds the limit, it never will; 0 for a lease: unknown). States and lease counts are before it.
   */
  | { ok: false; failed: { kind: 'rate' | 'lease'; index: number }; retryAfterMs: number; rates: RateState[]; leases: number[] };

/** A correction of a rate cell: positive charges more (debt delays later admissions), negative refunds. */
export interface RateAdjustment {
  key: string;
  delta: number;
  limit: number;
  periodMs: number;
}

export interface ReconcileRequest {
  id: string;
  rates: readonly RateAdjustment[];
  /** Lease cell keys to release `id` from. */
  leases: readonly string[];
}

/** Tolerance of the level comparison (levels are floats: a drained level is compared to a whole limit). */
export const LEVEL_EPSILON = 1e-6;

export function checkAdmitRequest(req: AdmitRequest): void {
  if (typeof req.id !== 'string' || req.id === '') throw new TypeError('admit: id must be a non-empty string');
  if (!(Number.isSafeInteger(req.leaseMs) && req.leaseMs > 0)) throw new TypeError('admit: leaseMs must be a positive integer');
  for (let i = 0; i < req.rates.length; i++) {
    const c = req.rates[i]!;
    checkCell('admit: rates', i, c.cost, c.limit, c.periodMs, 0);
  }
  for (let i = 0; i < req.leases.length; i++) {
    const c = req.leases[i]!;
    if (!(Number.isSafeInteger(c.limit) && c.limit >= 1)) throw new TypeError(`admit: leases[${i}].limit must be a safe integer >= 1, got ${c.limit}`);
  }
}

export function checkReconcileRequest(req: ReconcileRequest): void {
  if (typeof req.id !== 'string' || req.id === '') throw new TypeError('reconcile: id must be a non-empty string');
  for (let i = 0; i < req.rates.length; i++) {
    const c = req.rates[i]!;
    checkCell('reconcile: rates', i, c.delta, c.limit, c.periodMs, -Infinity);
  }
}

/** `list[i]` names the cell in the message, built only when it is wrong (this runs for every admission). */
function checkCell(list: string, i: number, amount: number, limit: number, periodMs: number, min: number): void {
  if (!(Number.isSafeInteger(amount) && amount >= min)) throw new TypeError(`${list}[${i}]: the amount must be a safe integer${min === 0 ? ' >= 0' : ''}, got ${amount}`);
  if (!(Number.isSafeInteger(limit) && limit >= 1)) throw new TypeError(`${list}[${i}].limit must be a safe integer >= 1, got ${limit}`);
  if (!(Number.isSafeInteger(periodMs) && periodMs >= 1)) throw new TypeError(`${list}[${i}].periodMs must be a positive integer, got ${periodMs}`);
}

/** The level a cell holds `elapsedMs` after it was `level`. */
export function drained(level: number, elapsedMs: number, limit: number, periodMs: number): number {
  return Math.max(0, level - (Math.max(0, elapsedMs) * limit) / periodMs);
}

/** The state a client is told about a cell at `level`. */
export function rateState(level: number, limit: number, periodMs: number): RateState {
  return { remaining: Math.max(0, Math.floor(limit - level + LEVEL_EPSILON)), resetMs: Math.ceil((level * periodMs) / limit) };
}

/** How long until a cell at `level` has room for `cost`: -1 when it never will (cost > limit). */
export function waitFor(level: number, cost: number, limit: number, periodMs: number): number {
  if (cost > limit) return -1;
  return Math.max(1, Math.ceil(((level + cost - limit) * periodMs) / limit));
}
