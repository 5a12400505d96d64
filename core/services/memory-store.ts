// The in-process Store of dgp.adapter.store.memory: a Map of values with absolute expiry times. Every operation runs
// synchronously between two awaits, so a reservation's check and its hold can never interleave with another request's.
// Leased holds live in a second map beside their counter, each with its own expiry; rate cells and leases in
// memory-limits.ts. It lives in the host because the primary process of `dgp start --workers N` runs it for every
// worker (core/multicore/shared-store-host.ts).
import type { ServiceReadiness } from './define.js';
import type { AdmitRequest, AdmitResult, ReconcileRequest } from './limit-store.js';
import { MemoryLimits } from './memory-limits.js';
import {
  checkHoldRequest, checkReserveItems, type HoldRequest, type HoldResult, type ReserveItem, type ReserveResult,
  type SettleRequest, type SettleResult, type Store,
} from './store.js';

export const MEMORY_STORE_KIND = 'dgp.adapter.store.memory';

/** The memory store's options (dgp.adapter.store.memory's config; its schema documents each). */
export interface MemoryStoreOptions {
  key_prefix: string;
  max_keys: number;
  sweep_interval_ms: number;
  /** With `dgp start --workers N`: the data lives in the primary process and every worker reads the same. */
  shared?: boolean;
}

interface Slot {
  value: string;
  /** Date.now() at which it expires; Infinity for never. */
  expiresAt: number;
}

export class MemoryStore implements Store {
  readonly kind = MEMORY_STORE_KIND;
  readonly #slots = new Map<string, Slot>();
  /** Full counter key → hold id → its amount and lease end. */
  readonly #holds = new Map<string, Map<string, { amount: number; expiresAt: number }>>();
  readonly #limits: MemoryLimits;
  readonly #prefix: string;
  readonly #maxKeys: number;
  readonly #timer: NodeJS.Timeout;

  constructor(config: Readonly<MemoryStoreOptions>, private readonly now: () => number = Date.now) {
    this.#prefix = config.key_prefix;
    this.#maxKeys = config.max_keys;
    this.#limits = new MemoryLimits(now, config.max_keys);
    this.#timer = setInterval(() => this.#sweep(), config.sweep_interval_ms);
    this.#timer.unref();
  }

  get size(): number {
    return this.#slots.size;
  }

  async get(key: string): Promise<string | undefined> {
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, opts: { ttlMs?: number } = {}): Promise<void> {
    this.#put(this.#prefix + key, { value, expiresAt: this.#expiry(opts.ttlMs) });
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.#live(key) !== undefined;
    this.#slots.delete(this.#prefix + key);
    return existed;
  }

  async incrBy(key: string, by: number, opts: { ttlMs?: number } = {}): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new TypeError(`incrBy: by must be a safe integer, got ${by}`);
    return this.#add(key, by, opts.ttlMs);
  }

  async reserve(items: readonly ReserveItem[]): Promise<ReserveResult> {
    checkReserveItems(items);
    const values = items.map((it) => this.#counter(it.key));
    const failed = items.findIndex((it, i) => values[i]! + it.amount > it.limit);
    if (failed >= 0) return { ok: false, failed, values };
    return { ok: true, values: items.map((it) => this.#add(it.key, it.amount, it.ttlMs)) };
  }

  async setIfAbsent(key: string, value: string, opts: { ttlMs?: number } = {}): Promise<boolean> {
    if (this.#live(key) !== undefined) return false;
    this.#put(this.#prefix + key, { value, expiresAt: this.#expiry(opts.ttlMs) });
    return true;
  }

  async hold(req: HoldRequest): Promise<HoldResult> {
    checkHoldRequest(req);
    if (this.#live(req.marker) !== undefined) return { ok: false, reason: 'settled' };
    const missing = req.items.findIndex((it) => this.#live(it.key) === undefined);
    if (missing >= 0) return { ok: false, reason: 'missing', failed: missing };
    const settled = req.items.map((it) => this.#counter(it.key));
    const held = req.items.map((it) => this.#heldOn(it.key));
    if (req.items.some((it) => this.#holds.get(this.#prefix + it.key)?.has(req.id))) return { ok: true, duplicate: true, settled, held };
    const failed = req.items.findIndex((it, i) => settled[i]! + held[i]! + it.amount > it.limit);
    if (failed >= 0) return { ok: false, reason: 'limit', failed, settled, held };
    const expiresAt = this.now() + req.leaseMs;
    for (const it of req.items) {
      const full = this.#prefix + it.key;
      const map = this.#holds.get(full) ?? new Map();
      map.set(req.id, { amount: it.amount, expiresAt });
      this.#holds.set(full, map);
    }
    return { ok: true, duplicate: false, settled, held: held.map((h, i) => h + req.items[i]!.amount) };
  }

  async settle(req: SettleRequest): Promise<SettleResult> {
    checkHoldRequest(req);
    if (this.#live(req.marker) !== undefined) return { applied: false };
    this.#put(this.#prefix + req.marker, { value: '1', expiresAt: this.#expiry(req.markerTtlMs) });
    const settled = req.items.map((it) => {
      this.#holds.get(this.#prefix + it.key)?.delete(req.id);
      // A missing counter is left for its owner to initialise from the source of truth (a ledger).
      return this.#live(it.key) === undefined ? -1 : this.#add(it.key, it.amount, undefined);
    });
    return { applied: true, settled };
  }

  async admit(req: AdmitRequest): Promise<AdmitResult> {
    return this.#limits.admit(req, this.#prefix);
  }

  async reconcile(req: ReconcileRequest): Promise<void> {
    this.#limits.reconcile(req, this.#prefix);
  }

  readiness(): ServiceReadiness {
    return { ready: true, keys: this.#slots.size, limit_cells: this.#limits.size };
  }

  close(): void {
    clearInterval(this.#timer);
    this.#slots.clear();
    this.#holds.clear();
    this.#limits.clear();
  }

  #add(key: string, by: number, ttlMs: number | undefined): number {
    const next = this.#counter(key) + by;
    const slot = this.#live(key);
    if (slot === undefined) this.#put(this.#prefix + key, { value: String(next), expiresAt: this.#expiry(ttlMs) });
    else {
      slot.value = String(next);
      // As the Redis script does: a counter without expiry takes the TTL given now.
      if (slot.expiresAt === Infinity) slot.expiresAt = this.#expiry(ttlMs);
    }
    return next;
  }

  /** The live holds on a counter; expired ones are dropped on the way. */
  #heldOn(key: string): number {
    const map = this.#holds.get(this.#prefix + key);
    if (map === undefined) return 0;
    const now = this.now();
    let sum = 0;
    for (const [id, h] of map) {
      if (h.expiresAt <= now) map.delete(id);
      else sum += h.amount;
    }
    if (map.size === 0) this.#holds.delete(this.#prefix + key);
    return sum;
  }

  #counter(key: string): number {
    const slot = this.#live(key);
    if (slot === undefined) return 0;
    const n = Number(slot.value);
    if (!Number.isSafeInteger(n)) throw new TypeError(`key ${key} does not hold an integer counter`);
    return n;
  }

  #live(key: string): Slot | undefined {
    const full = this.#prefix + key;
    const slot = this.#slots.get(full);
    if (slot === undefined) return undefined;
    if (slot.expiresAt > this.now()) return slot;
    this.#slots.delete(full);
    return undefined;
  }

  #expiry(ttlMs: number | undefined): number {
    return ttlMs !== undefined && ttlMs > 0 ? this.now() + ttlMs : Infinity;
  }

  #put(full: string, slot: Slot): void {
    if (!this.#slots.has(full) && this.#slots.size >= this.#maxKeys) this.#makeRoom();
    this.#slots.set(full, slot);
  }

  #makeRoom(): void {
    this.#sweep();
    if (this.#slots.size < this.#maxKeys) return;
    // Maps iterate in insertion order: the first key is the oldest written; prefer one that expires soonest.
    let victim: string | undefined;
    let soonest = Infinity;
    for (const [k, s] of this.#slots) {
      if (victim === undefined || s.expiresAt < soonest) [victim, soonest] = [k, s.expiresAt];
    }
    if (victim !== undefined) this.#slots.delete(victim);
  }

  #sweep(): void {
    this.#limits.sweep();
    const now = this.now();
    for (const [k, s] of this.#slots) if (s.expiresAt <= now) this.#slots.delete(k);
    for (const [k, map] of this.#holds) {
      for (const [id, h] of map) if (h.expiresAt <= now) map.delete(id);
      if (map.size === 0) this.#holds.delete(k);
    }
  }
}
