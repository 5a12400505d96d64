// The in-process Store of dgp.adapter.store.memory: a Map of values with absolute expiry times. Every operation runs
// synchronously between two awaits, so a reservation's check and its hold can never interleave with another request's.
// Its maps are keyed by the caller's keys as given: the key prefix names this store among others (one instance per
// prefix), so within one it would add nothing but a string built, flattened and hashed on every lookup. Counters keep
// their number (a string only when read), since holds and settles read and write them on every request.
// Leased holds live in a second map beside their counter, each with its own expiry, and their running total;
// settled-request markers in settled-markers.ts (a busy gateway writes one per request); rate cells and leases in
// memory-limits.ts. It lives in the host because the primary process of `dgp start --workers N` runs it for every
// worker (core/multicore/shared-store-host.ts).
import type { ServiceReadiness } from './define.js';
import type { AdmitRequest, AdmitResult, ReconcileRequest } from './limit-store.js';
import { MemoryLimits } from './memory-limits.js';
import { SettledMarkers } from './settled-markers.js';
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

interface Holds {
  readonly byId: Map<string, { amount: number; expiresAt: number }>;
  total: number;
  /** The earliest lease end among them: before it, the total needs no sweep. */
  firstExpiry: number;
}

interface Slot {
  /** A number for counters (written by incrBy, reserve, settle); read back as its decimal string. */
  value: string | number;
  /** Date.now() at which it expires; Infinity for never. */
  expiresAt: number;
}

function counterValue(slot: Slot, key: string): number {
  const v = slot.value;
  if (typeof v === 'number') return v;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new TypeError(`key ${key} does not hold an integer counter`);
  return n;
}

export class MemoryStore implements Store {
  readonly kind = MEMORY_STORE_KIND;
  readonly callsRunOnce = true;
  readonly #slots = new Map<string, Slot>();
  /** Counter key → its live holds (hold id → amount and lease end) and their total. */
  readonly #holds = new Map<string, Holds>();
  /** Settled-request markers written in the current and the previous marker period: each lives one to two periods. */
  readonly #markers = new SettledMarkers();
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
    const v = this.#live(key)?.value;
    return typeof v === 'number' ? String(v) : v;
  }

  async set(key: string, value: string, opts: { ttlMs?: number } = {}): Promise<void> {
    this.#put(key, { value, expiresAt: this.#expiry(opts.ttlMs) });
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.#live(key) !== undefined;
    this.#slots.delete(key);
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
    this.#put(key, { value, expiresAt: this.#expiry(opts.ttlMs) });
    return true;
  }

  hold(req: HoldRequest): HoldResult {
    checkHoldRequest(req);
    const now = this.now();
    if (req.marker !== undefined && this.#markers.has(req.marker, now)) return { ok: false, reason: 'settled' };
    const items = req.items;
    // Sized up front: an array grown by push starts with room for 17.
    const settled = new Array<number>(items.length);
    const held = new Array<number>(items.length);
    let duplicate = false;
    for (let i = 0; i < items.length; i++) {
      const key = items[i]!.key;
      const slot = this.#liveAt(key, now);
      if (slot === undefined) return { ok: false, reason: 'missing', failed: i };
      settled[i] = counterValue(slot, key);
      const h = this.#holds.get(key);
      if (h !== undefined && h.firstExpiry <= now) this.#dropExpired(h, now);
      held[i] = h === undefined ? 0 : h.total;
      if (h !== undefined && h.byId.has(req.id)) duplicate = true;
    }
    if (duplicate) return { ok: true, duplicate: true, settled, held };
    const failed = items.findIndex((it, i) => settled[i]! + held[i]! + it.amount > it.limit);
    if (failed >= 0) return { ok: false, reason: 'limit', failed, settled, held };
    const expiresAt = now + req.leaseMs;
    for (let i = 0; i < items.length; i++) {
      const { key, amount } = items[i]!;
      let h = this.#holds.get(key);
      if (h === undefined) this.#holds.set(key, (h = { byId: new Map(), total: 0, firstExpiry: Infinity }));
      h.byId.set(req.id, { amount, expiresAt });
      h.total += amount;
      if (expiresAt < h.firstExpiry) h.firstExpiry = expiresAt;
      held[i]! += amount;
    }
    return { ok: true, duplicate: false, settled, held };
  }

  settle(req: SettleRequest): SettleResult {
    checkHoldRequest(req);
    const now = this.now();
    if (req.marker !== undefined && !this.#markers.add(req.marker, req.markerTtlMs, now)) return { applied: false };
    const items = req.items;
    const settled = new Array<number>(items.length);
    for (let i = 0; i < items.length; i++) {
      const { key, amount } = items[i]!;
      this.#release(key, req.id);
      // A missing counter is left for its owner to initialise from the source of truth (a ledger).
      const slot = this.#liveAt(key, now);
      if (slot === undefined) {
        settled[i] = -1;
        continue;
      }
      const next = counterValue(slot, key) + amount;
      slot.value = next;
      settled[i] = next;
    }
    return { applied: true, settled };
  }

  admit(req: AdmitRequest): AdmitResult {
    return this.#limits.admit(req, this.#prefix);
  }

  reconcile(req: ReconcileRequest): void {
    this.#limits.reconcile(req, this.#prefix);
  }

  readiness(): ServiceReadiness {
    return { ready: true, keys: this.#slots.size, markers: this.#markers.size, limit_cells: this.#limits.size };
  }

  close(): void {
    clearInterval(this.#timer);
    this.#slots.clear();
    this.#holds.clear();
    this.#markers.clear();
    this.#limits.clear();
  }

  #add(key: string, by: number, ttlMs: number | undefined): number {
    const next = this.#counter(key) + by;
    const slot = this.#live(key);
    if (slot === undefined) this.#put(key, { value: next, expiresAt: this.#expiry(ttlMs) });
    else {
      slot.value = next;
      // As the Redis script does: a counter without expiry takes the TTL given now.
      if (slot.expiresAt === Infinity) slot.expiresAt = this.#expiry(ttlMs);
    }
    return next;
  }

  #release(key: string, id: string): void {
    const h = this.#holds.get(key);
    const one = h?.byId.get(id);
    if (h === undefined || one === undefined) return;
    h.byId.delete(id);
    h.total -= one.amount;
    // An emptied entry stays for the next request (one at a time, each would build it anew); the sweep drops it.
    if (h.byId.size === 0) {
      h.total = 0;
      h.firstExpiry = Infinity;
    }
  }

  #dropExpired(h: Holds, now: number): void {
    h.total = 0;
    h.firstExpiry = Infinity;
    for (const [id, one] of h.byId) {
      if (one.expiresAt <= now) h.byId.delete(id);
      else {
        h.total += one.amount;
        if (one.expiresAt < h.firstExpiry) h.firstExpiry = one.expiresAt;
      }
    }
  }

  #counter(key: string): number {
    const slot = this.#live(key);
    return slot === undefined ? 0 : counterValue(slot, key);
  }

  #live(key: string): Slot | undefined {
    return this.#liveAt(key, this.now());
  }

  #liveAt(key: string, now: number): Slot | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt > now) return slot;
    this.#slots.delete(key);
    return undefined;
  }

  #expiry(ttlMs: number | undefined): number {
    return ttlMs !== undefined && ttlMs > 0 ? this.now() + ttlMs : Infinity;
  }

  #put(key: string, slot: Slot): void {
    if (!this.#slots.has(key) && this.#slots.size >= this.#maxKeys) this.#makeRoom();
    this.#slots.set(key, slot);
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
    for (const [k, h] of this.#holds) {
      if (h.firstExpiry <= now) this.#dropExpired(h, now);
      if (h.byId.size === 0) this.#holds.delete(k);
    }
    this.#markers.sweep(now);
  }
}
