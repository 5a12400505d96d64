// Where entries live. Two backends behind one small interface: an in-process LRU bounded in bytes (the default), and
// any dgp.adapter.store.* by id (Redis for many instances: entries over compress_over are gzip-compressed). A purge
// never scans: each scope has a generation number that is part of every entry's key, and a purge increments it, so
// the scope's old entries are never read again and expire by their TTL.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Store } from '../../../core/index.js';

export interface CacheBackend {
  readonly kind: string;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** The scope's current generation (0 before its first purge). */
  generation(scope: string): Promise<number>;
  /** Starts a new generation for the scope: its entries are gone for every reader. */
  purge(scope: string): Promise<number>;
  /**
   * Shared stores only: the cross-instance coalescing lock of an entry (a miss being answered somewhere). `lock`
   * is true when this caller took it; it ends with `unlock` or after `ttlMs`.
   */
  lock?(key: string, ttlMs: number): Promise<boolean>;
  locked?(key: string): Promise<boolean>;
  unlock?(key: string): Promise<void>;
}

interface LruSlot {
  value: string;
  bytes: number;
  expiresAt: number;
  /** The value as read by `parse` (a record): kept so that a hit does not parse the same text again. */
  parsed?: { readonly by: (text: string) => unknown; readonly value: unknown };
}

/** In-process LRU: a Map in use order (a read moves the entry to the end); the front goes first when over max_bytes. */
export class LruBackend implements CacheBackend {
  readonly kind = 'memory-lru';
  readonly #slots = new Map<string, LruSlot>();
  readonly #gens = new Map<string, number>();
  #bytes = 0;

  constructor(private readonly maxBytes: number, private readonly now: () => number = Date.now) {}

  get bytes(): number {
    return this.#bytes;
  }

  get entries(): number {
    return this.#slots.size;
  }

  async get(key: string): Promise<string | undefined> {
    const s = this.#slots.get(key);
    if (s === undefined) return undefined;
    this.#slots.delete(key);
    if (s.expiresAt <= this.now()) {
      this.#bytes -= s.bytes;
      return undefined;
    }
    this.#slots.set(key, s);
    return s.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#set(key, value, ttlMs, undefined);
  }

  /**
   * The value under `key` as `parse` reads it, parsed once per stored value; the result is shared by every reader
   * and must not be changed. Counted in the byte bound like a second copy of the text.
   */
  getParsed<T>(key: string, parse: (text: string) => T | undefined): T | undefined {
    const s = this.#slots.get(key);
    if (s === undefined) return undefined;
    this.#slots.delete(key);
    if (s.expiresAt <= this.now()) {
      this.#bytes -= s.bytes;
      return undefined;
    }
    this.#slots.set(key, s);
    if (s.parsed?.by === parse) return s.parsed.value as T | undefined;
    const value = parse(s.value);
    this.#memo(s, parse, value);
    return value;
  }

  /** `set` with the value already parsed by `parse` (the writer's own object, shared by readers from now on). */
  setParsed<T>(key: string, value: string, ttlMs: number, parse: (text: string) => T | undefined, parsed: T): void {
    const s = this.#set(key, value, ttlMs, undefined);
    if (s !== undefined) this.#memo(s, parse, parsed);
  }

  #memo(s: LruSlot, by: (text: string) => unknown, value: unknown): void {
    if (s.parsed === undefined) {
      s.bytes += s.value.length * 2;
      this.#bytes += s.value.length * 2;
    }
    s.parsed = { by, value };
    this.#trim();
  }

  #set(key: string, value: string, ttlMs: number, parsed: LruSlot['parsed']): LruSlot | undefined {
    const bytes = value.length * 2 + key.length * 2 + 64;
    if (bytes > this.maxBytes) return undefined;
    const old = this.#slots.get(key);
    if (old !== undefined) {
      this.#slots.delete(key);
      this.#bytes -= old.bytes;
    }
    const slot: LruSlot = { value, bytes, expiresAt: this.now() + ttlMs, ...(parsed === undefined ? {} : { parsed }) };
    this.#slots.set(key, slot);
    this.#bytes += bytes;
    this.#trim();
    return this.#slots.get(key) === slot ? slot : undefined;
  }

  #trim(): void {
    for (const [k, s] of this.#slots) {
      if (this.#bytes <= this.maxBytes) break;
      this.#slots.delete(k);
      this.#bytes -= s.bytes;
    }
  }

  async delete(key: string): Promise<void> {
    const s = this.#slots.get(key);
    if (s === undefined) return;
    this.#slots.delete(key);
    this.#bytes -= s.bytes;
  }

  async generation(scope: string): Promise<number> {
    return this.generationNow(scope);
  }

  generationNow(scope: string): number {
    return this.#gens.get(scope) ?? 0;
  }

  async purge(scope: string): Promise<number> {
    const g = (this.#gens.get(scope) ?? 0) + 1;
    this.#gens.set(scope, g);
    // Nothing can read the old generation's entries again: free their bytes now rather than waiting for the LRU.
    const prefix = `${scope}|`;
    for (const [k, s] of this.#slots) {
      if (k.startsWith(prefix)) {
        this.#slots.delete(k);
        this.#bytes -= s.bytes;
      }
    }
    return g;
  }
}

/** A store adapter (memory or Redis) by id; values are `j:<json>` or `z:<base64 gzip of the json>`. */
export class StoreBackend implements CacheBackend {
  readonly kind: string;

  constructor(private readonly store: Store, private readonly compressOver: number) {
    this.kind = store.kind;
  }

  async get(key: string): Promise<string | undefined> {
    const v = await this.store.get(`cache:${key}`);
    if (v === undefined) return undefined;
    if (v.startsWith('z:')) return gunzipSync(Buffer.from(v.slice(2), 'base64')).toString('utf8');
    return v.startsWith('j:') ? v.slice(2) : undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const packed = this.compressOver > 0 && value.length > this.compressOver ? `z:${gzipSync(value).toString('base64')}` : `j:${value}`;
    await this.store.set(`cache:${key}`, packed, { ttlMs: Math.max(1, Math.round(ttlMs)) });
  }

  async delete(key: string): Promise<void> {
    await this.store.delete(`cache:${key}`);
  }

  async generation(scope: string): Promise<number> {
    const v = await this.store.get(`cache-gen:${scope}`);
    const n = v === undefined ? 0 : Number(v);
    return Number.isSafeInteger(n) ? n : 0;
  }

  purge(scope: string): Promise<number> {
    return this.store.incrBy(`cache-gen:${scope}`, 1);
  }

  lock(key: string, ttlMs: number): Promise<boolean> {
    return this.store.setIfAbsent(`cache-lock:${key}`, '1', { ttlMs: Math.max(1, Math.round(ttlMs)) });
  }

  async locked(key: string): Promise<boolean> {
    return (await this.store.get(`cache-lock:${key}`)) !== undefined;
  }

  async unlock(key: string): Promise<void> {
    await this.store.delete(`cache-lock:${key}`);
  }
}
