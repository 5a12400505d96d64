// A least-recently-used map with a per-entry time to live, for the token cache and the prefix index. Pixiu's token
// cache evicts arbitrary entries and never refreshes one (spec §8.3 item 24); this one evicts the least recently
// used and a `set` replaces the entry and its expiry. Map insertion order is the recency order.

export interface LruTtlOptions {
  /** Most entries; 0 = unbounded. */
  maxSize: number;
  /** Entry lifetime in ms; 0 = never expires. */
  ttlMs: number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  /** Infinity when the cache has no TTL. */
  expiresAt: number;
}

export class LruTtlCache<V> {
  readonly #map = new Map<string, Entry<V>>();
  readonly #now: () => number;
  #lastSweep: number;

  constructor(private readonly opts: LruTtlOptions) {
    this.#now = opts.now ?? (() => performance.now());
    this.#lastSweep = this.#now();
  }

  get size(): number {
    return this.#map.size;
  }

  /** The live value (and marks it most recently used), or undefined when absent or expired (the entry is dropped). */
  get(key: string): V | undefined {
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    if (this.#now() > e.expiresAt) {
      this.#map.delete(key);
      return undefined;
    }
    this.#map.delete(key);
    this.#map.set(key, e);
    return e.value;
  }

  /** Like get, without touching recency. */
  peek(key: string): V | undefined {
    const e = this.#map.get(key);
    return e === undefined || this.#now() > e.expiresAt ? undefined : e.value;
  }

  set(key: string, value: V): void {
    const now = this.#now();
    this.#map.delete(key);
    this.#map.set(key, { value, expiresAt: this.opts.ttlMs > 0 ? now + this.opts.ttlMs : Infinity });
    this.#sweep(now);
    if (this.opts.maxSize > 0) {
      for (const oldest of this.#map.keys()) {
        if (this.#map.size <= this.opts.maxSize) break;
        this.#map.delete(oldest);
      }
    }
  }

  delete(key: string): boolean {
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  /** Expired entries nobody reads again would otherwise stay until pushed out; dropped at most once per TTL. */
  #sweep(now: number): void {
    if (this.opts.ttlMs <= 0 || now - this.#lastSweep < Math.max(this.opts.ttlMs, 1000)) return;
    this.#lastSweep = now;
    for (const [k, e] of this.#map) if (now > e.expiresAt) this.#map.delete(k);
  }
}
