// Key-store lookups cached in memory, so the hot path costs no store round trip: a found record (a key by hash, a
// team or user by id) is trusted for `ttlMs`, an unknown one remembered for `negativeTtlMs`, at most `maxEntries`
// kept (least recently used dropped first), and concurrent lookups of one name share one store call. `invalidate`
// drops an entry at once (admin changes).
import type { KeyRecord } from '../../../core/llm/index.js';

interface Entry<T> {
  record: T | undefined;
  expiresAt: number;
}

export interface KeyCacheOptions {
  ttlMs: number;
  negativeTtlMs: number;
  maxEntries: number;
  now?: () => number;
}

export class KeyCache<T = KeyRecord> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #pending = new Map<string, Promise<T | undefined>>();
  readonly #now: () => number;

  constructor(
    private readonly load: (hash: string) => Promise<T | undefined>,
    private readonly opts: KeyCacheOptions,
  ) {
    this.#now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached record (undefined = known unknown) synchronously, or a promise when the store must be asked. */
  get(hash: string): { hit: true; record: T | undefined } | { hit: false; pending: Promise<T | undefined> } {
    const e = this.#entries.get(hash);
    if (e !== undefined && e.expiresAt > this.#now()) {
      // Re-insert: Map order is the LRU order.
      this.#entries.delete(hash);
      this.#entries.set(hash, e);
      return { hit: true, record: e.record };
    }
    let pending = this.#pending.get(hash);
    if (pending === undefined) {
      pending = this.load(hash).then(
        (record) => {
          this.#pending.delete(hash);
          this.#put(hash, record);
          return record;
        },
        (err: unknown) => {
          this.#pending.delete(hash);
          throw err;
        },
      );
      this.#pending.set(hash, pending);
    }
    return { hit: false, pending };
  }

  invalidate(hash?: string): void {
    if (hash === undefined) this.#entries.clear();
    else this.#entries.delete(hash);
  }

  #put(hash: string, record: T | undefined): void {
    const ttl = record === undefined ? this.opts.negativeTtlMs : this.opts.ttlMs;
    if (ttl <= 0) return;
    this.#entries.delete(hash);
    this.#entries.set(hash, { record, expiresAt: this.#now() + ttl });
    while (this.#entries.size > this.opts.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
