// The in-process rate cells and concurrency leases of the memory store (the contract is limit-store.ts). Every
// operation runs synchronously, so an admission's checks and its writes can never interleave with another one's.
import {
  LEVEL_EPSILON, checkAdmitRequest, checkReconcileRequest, drained, rateState, waitFor,
  type AdmitRequest, type AdmitResult, type ReconcileRequest,
} from './limit-store.js';

interface Cell {
  level: number;
  /** now() when `level` was written. */
  at: number;
  /** now() at which the level has drained to 0 and the cell can go. */
  expiresAt: number;
}

export class MemoryLimits {
  readonly #cells = new Map<string, Cell>();
  /** Lease cell key → holder id → lease end. */
  readonly #leases = new Map<string, Map<string, number>>();

  constructor(
    private readonly now: () => number,
    private readonly maxCells: number,
  ) {}

  get size(): number {
    return this.#cells.size + this.#leases.size;
  }

  admit(req: AdmitRequest, prefix: string): AdmitResult {
    checkAdmitRequest(req);
    const now = this.now();
    const levels = req.rates.map((c) => this.#level(prefix + c.key, c.limit, c.periodMs, now));
    const used = req.leases.map((c) => this.#live(prefix + c.key, now));
    const rate = req.rates.findIndex((c, i) => levels[i]! + c.cost > c.limit + LEVEL_EPSILON);
    const lease = rate >= 0 ? -1 : req.leases.findIndex((c, i) => used[i]! + 1 > c.limit);
    if (rate >= 0 || lease >= 0) {
      const rates = req.rates.map((c, i) => rateState(levels[i]!, c.limit, c.periodMs));
      if (rate >= 0) {
        const c = req.rates[rate]!;
        return { ok: false, failed: { kind: 'rate', index: rate }, retryAfterMs: waitFor(levels[rate]!, c.cost, c.limit, c.periodMs), rates, leases: used };
      }
      return { ok: false, failed: { kind: 'lease', index: lease }, retryAfterMs: 0, rates, leases: used };
    }
    const rates = req.rates.map((c, i) => {
      const level = levels[i]! + c.cost;
      if (c.cost > 0) this.#write(prefix + c.key, level, c.limit, c.periodMs, now);
      return rateState(level, c.limit, c.periodMs);
    });
    const leases = req.leases.map((c, i) => {
      const full = prefix + c.key;
      let holders = this.#leases.get(full);
      if (holders === undefined) this.#leases.set(full, (holders = new Map()));
      holders.set(req.id, now + req.leaseMs);
      return used[i]! + 1;
    });
    return { ok: true, rates, leases };
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
      const full = prefix + key;
      const holders = this.#leases.get(full);
      holders?.delete(req.id);
      if (holders?.size === 0) this.#leases.delete(full);
    }
  }

  sweep(): void {
    const now = this.now();
    for (const [k, c] of this.#cells) if (c.expiresAt <= now) this.#cells.delete(k);
    for (const k of [...this.#leases.keys()]) this.#live(k, now);
  }

  clear(): void {
    this.#cells.clear();
    this.#leases.clear();
  }

  #level(full: string, limit: number, periodMs: number, now: number): number {
    const c = this.#cells.get(full);
    return c === undefined ? 0 : drained(c.level, now - c.at, limit, periodMs);
  }

  #write(full: string, level: number, limit: number, periodMs: number, now: number): void {
    if (!this.#cells.has(full) && this.#cells.size >= this.maxCells) this.#makeRoom();
    this.#cells.set(full, { level, at: now, expiresAt: now + Math.ceil((level * periodMs) / limit) });
  }

  /** Live leases of a cell; expired ones are dropped on the way. */
  #live(full: string, now: number): number {
    const holders = this.#leases.get(full);
    if (holders === undefined) return 0;
    for (const [id, end] of holders) if (end <= now) holders.delete(id);
    if (holders.size === 0) this.#leases.delete(full);
    return holders.size;
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
