// Token ids per prompt key (Pixiu TokenManager, spec §3.4.3): the LRU+TTL token cache with hit/miss counts, in
// front of a token source (vLLM /tokenize or the worker pool). Concurrent requests for one key share one call.
import { LruTtlCache } from './lru-ttl.js';
import type { TokenizeRequest, TokenSource } from './vllm-client.js';

export interface TokenCacheStats {
  size: number;
  hit_rate: number;
  hit_count: number;
  miss_count: number;
}

export interface TokenManagerOptions {
  enabled: boolean;
  maxSize: number;
  ttlMs: number;
  now?: () => number;
  onHit?: () => void;
  onMiss?: () => void;
}

export class TokenManager {
  readonly #cache: LruTtlCache<number[]>;
  readonly #pending = new Map<string, Promise<number[]>>();
  #hits = 0;
  #misses = 0;

  constructor(
    private readonly source: TokenSource,
    private readonly opts: TokenManagerOptions,
  ) {
    this.#cache = new LruTtlCache({ maxSize: opts.maxSize, ttlMs: opts.ttlMs, ...(opts.now ? { now: opts.now } : {}) });
  }

  get cacheEnabled(): boolean {
    return this.opts.enabled;
  }

  /** Cached ids only (Pixiu GetCachedTokens: the request path never waits for vLLM); undefined when disabled. */
  getCachedTokens(key: string): number[] | undefined {
    if (!this.opts.enabled) return undefined;
    const hit = this.#cache.get(key);
    this.#count(hit !== undefined);
    return hit;
  }

  /** Cached ids, else the source's (stored when the cache is on). `count: false` skips the hit/miss counters. */
  async getTokens(key: string, req: TokenizeRequest, signal: AbortSignal, opts: { count?: boolean } = {}): Promise<number[]> {
    if (this.opts.enabled) {
      const hit = this.#cache.get(key);
      if (opts.count !== false) this.#count(hit !== undefined);
      if (hit !== undefined) return hit;
    }
    let call = this.#pending.get(key);
    if (call === undefined) {
      call = this.source.tokenize(req, signal).then((tokens) => {
        if (this.opts.enabled) this.#cache.set(key, tokens);
        return tokens;
      });
      this.#pending.set(key, call);
      const forget = () => void this.#pending.delete(key);
      call.then(forget, forget);
    }
    return call;
  }

  /** Pixiu GetCacheStats, JSON names kept. */
  stats(): TokenCacheStats {
    const total = this.#hits + this.#misses;
    return { size: this.#cache.size, hit_rate: total === 0 ? 0 : this.#hits / total, hit_count: this.#hits, miss_count: this.#misses };
  }

  #count(hit: boolean): void {
    if (hit) {
      this.#hits++;
      this.opts.onHit?.();
    } else {
      this.#misses++;
      this.opts.onMiss?.();
    }
  }
}
