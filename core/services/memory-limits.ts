// The in-process rate cells and concurrency leases of the memory store (the contract is limit-store.ts). Every
// operation runs synchronously, so an admission's checks and its writes can never interleave with another one's.
import {
  LEVEL_EPSILON, checkAdmitRequest, checkReconcileRequest, drained, rateState, waitFor,
  type AdmitRequest, type AdmitResult, type RateState, type ReconcileRequest,
} from './limit-store.js';

/** A lease cell's holders (id → lease end) and a lower bound of their ends: no holder can have expired before it. */
interface Holders {
  readonly ends: Map<string, number>;
  minEnd: number;
}

interface Cell {
  level: number;
  /** now() when `level` was written. */
  at: number;
  /** now() at which the level has drained to 0 and the cell can go. */
  expiresAt: number;
}

export class MemoryLimits {
  readonly #cells = new Map<string, Cell>();
  /** Lease cell key → its holders. */
  readonly #leases = new Map<string, Holders>();

  constructor(
    private readonly now: () => number,
    private readonly maxCells: number,
  ) {}

  get size(): number {
    return this.#cells.size + this.#leases.size;
  }

  // Plain loops and one levels array: this runs for every request a memory-store rate limit counts.
  admit(req: AdmitRequest, prefix: string): AdmitResult {
    checkAdmitRequest(req);
    const now = this.now();
    const { rates: cells, leases: leaseCells } = req;
    const levels: number[] = new Array<number>(cells.length);
    let rate = -1;
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i]!;
      levels[i] = this.#level(prefix + c.key, c.limit, c.periodMs, now);
      if (rate < 0 && levels[i]! + c.cost > c.limit + LEVEL_EPSILON) rate = i;
    }
    const used: number[] = new Array<number>(leaseCells.length);
    let lease = -1;
    for (let i = 0; i < leaseCells.length; i++) {
      used[i] = this.#live(prefix + leaseCells[i]!.key, now);
      if (rate < 0 && lease < 0 && used[i]! + 1 > leaseCells[i]!.limit) lease = i;
    }
    const rates: RateState[] = new Array<RateState>(cells.length);
    if (rate >= 0 || lease >= 0) {
      for (let i = 0; i < cells.length; i++) rates[i] = rateState(levels[i]!, cells[i]!.limit, cells[i]!.periodMs);
      if (rate >= 0) {
        const c = cells[rate]!;
        return { ok: false, failed: { kind: 'rate', index: rate }, retryAfterMs: waitFor(levels[rate]!, c.cost, c.limit, c.periodMs), rates, leases: used };
      }
      return { ok: false, failed: { kind: 'lease', index: lease }, retryAfterMs: 0, rates, leases: used };
    }
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i]!;
      const level = levels[i]! + c.cost;
      if (c.cost > 0) this.#write(prefix + c.key, level, c.limit, c.periodMs, now);
      rates[i] = rateState(level, c.limit, c.periodMs);
    }
    for (let i = 0; i < leaseCells.length; i++) {
      const full = prefix + leaseCells[i]!.key;
      let holders = this.#leases.get(full);
      if (holders === undefined) this.#leases.set(full, (holders = { ends: new Map(), minEnd: Infinity }));
      const end = now + req.leaseMs;
      holders.ends.set(req.id, end);
      if (end < holders.minEnd) holders.minEnd = end;
      used[i]!++;
    }
    return { ok: true, rates, leases: used };
  }

  reconcile(req: ReconcileRequest, prefix: string): void {
    checkReconcileRequest(req);
    const now = this.now();
    for (const c of req.rates) {
      if (c.delta === 0) continue;
      const full = prefix + c.key;
      const level = this.#level(full, c.limit, c.periodMs, now) + c.delta;
      if (level <= LEVEL_EPSILON) this.#cells.delete(full);
      else this.#write(full, level, c.limit, c.periodMs, now);
    }
    for (const key of req.leases) {
      // An emptied cell stays until the sweep: a busy key would otherwise make a new one per request.
      this.#leases.get(prefix + key)?.ends.delete(req.id);
    }
  }

  sweep(): void {
    const now = this.now();
    for (const [k, c] of this.#cells) if (c.expiresAt <= now) this.#cells.delete(k);
    for (const k of this.#leases.keys()) if (this.#live(k, now) === 0) this.#leases.delete(k);
  }

  clear(): void {
    this.#cells.clear();
    this.#leases.clear();
  }

  #level(full: string, limit: number, periodMs: number, now: number): number {
    const c = this.#cells.get(full);
    return c === undefined ? 0 : drained(c.level, now - c.at, limit, periodMs);
  }

  /** Updates the cell in place when it exists (no new object, one map lookup). */
  #write(full: string, level: number, limit: number, periodMs: number, now: number): void {
    const expiresAt = now + Math.ceil((level * periodMs) / limit);
    const c = this.#cells.get(full);
    if (c !== undefined) {
      c.level = level;
      c.at = now;
      c.expiresAt = expiresAt;
      return;
    }
    if (this.#cells.size >= this.maxCells) this.#makeRoom();
    this.#cells.set(full, { level, at: now, expiresAt });
  }

  /** Live leases of a cell; expired ones are dropped on the way (looked for only once one may have expired). */
  #live(full: string, now: number): number {
    const holders = this.#leases.get(full);
    if (holders === undefined) return 0;
    if (holders.minEnd <= now) {
      let min = Infinity;
      for (const [id, end] of holders.ends) {
        if (end <= now) holders.ends.delete(id);
        else if (end < min) min = end;
      }
      holders.minEnd = min;
    }
    return holders.ends.size;
  }

  /** At max_keys: drained cells go first, then the cell closest to draining (the least state is lost). */
  #makeRoom(): void {
    this.sweep();
    if (this.#cells.size < this.maxCells) return;
    let victim: string | undefined;
    let soonest = Infinity;
    for (const [k, c] of this.#cells) if (c.expiresAt < soonest) [victim, soonest] = [k, c.expiresAt];
    if (victim !== undefined) this.#cells.delete(victim);
  }
}
