// mode: prefix — prefix affinity without LMCache. A request's chained block hashes (worker pool) are looked up in an
// LRU index of "block hash → endpoint that served it"; the longest remembered prefix wins. A new prefix goes to the
// consistent-hash owner of its first block. Either way an endpoint at its bounded-load capacity is passed over
// (consistent hashing with bounded loads, Mirrokni et al. 2018): capacity = ceil((1 + load_factor) × (in-flight + 1)
// / endpoints), so no endpoint takes more than (1 + load_factor) × the average.
import type { EndpointView } from '../../../core/index.js';
import { HashRing, positionOfHex } from './hash-ring.js';
import type { InflightTracker } from './inflight.js';
import { LruTtlCache } from './lru-ttl.js';
import type { PrefixOptions } from './options.js';

export interface PrefixPick {
  id: string;
  /** prefix_index: a remembered prefix; prefix_ring: the ring owner (or the next with room). */
  reason: 'prefix_index' | 'prefix_ring';
  /** Blocks of the remembered prefix (0 for the ring). */
  matchedBlocks: number;
}

/** 64 bits of a block hash are plenty to tell prefixes apart and keep the index small. */
const short = (hash: string): string => hash.slice(0, 16);

export class PrefixRouter {
  readonly #index: LruTtlCache<string>;
  readonly #rings = new Map<string, { key: string; ring: HashRing }>();

  constructor(
    private readonly opts: PrefixOptions,
    private readonly inflight: InflightTracker,
    now?: () => number,
  ) {
    this.#index = new LruTtlCache({ maxSize: opts.maxEntries, ttlMs: opts.ttlMs, ...(now ? { now } : {}) });
  }

  get indexSize(): number {
    return this.#index.size;
  }

  /**
   * Picks an endpoint among `all` (the cluster, list order) for a request with these block hashes; `usable` says
   * whether an endpoint may take traffic (healthy, not cooling down). Undefined when none is usable or no hashes.
   */
  pick(cluster: string, hashes: readonly string[], all: readonly EndpointView[], usable: (ep: EndpointView) => boolean): PrefixPick | undefined {
    if (hashes.length === 0) return undefined;
    const candidates = all.filter(usable);
    if (candidates.length === 0) return undefined;
    const ids = new Set(candidates.map((e) => e.id));
    let total = 0;
    for (const id of ids) total += this.inflight.get(cluster, id);
    const capacity = Math.ceil(((1 + this.opts.loadFactor) * (total + 1)) / ids.size);
    const fits = (id: string) => ids.has(id) && this.inflight.get(cluster, id) + 1 <= capacity;

    let pick: PrefixPick | undefined;
    for (let i = hashes.length - 1; i >= 0 && pick === undefined; i--) {
      const id = this.#index.peek(short(hashes[i]!));
      if (id !== undefined && fits(id)) pick = { id, reason: 'prefix_index', matchedBlocks: i + 1 };
      else if (id !== undefined && ids.has(id)) break; // the holder of the longest prefix is full: go by the ring
    }
    if (pick === undefined) {
      for (const id of this.#ring(cluster, all).walk(positionOfHex(hashes[0]!))) {
        if (fits(id)) {
          pick = { id, reason: 'prefix_ring', matchedBlocks: 0 };
          break;
        }
      }
    }
    if (pick === undefined) return undefined;
    for (const h of hashes) this.#index.set(short(h), pick.id);
    return pick;
  }

  /** The cluster's ring, rebuilt only when its endpoint ids change. */
  #ring(cluster: string, all: readonly EndpointView[]): HashRing {
    const key = all.map((e) => e.id).join('\u0000');
    const cached = this.#rings.get(cluster);
    if (cached?.key === key) return cached.ring;
    const ring = new HashRing(all.map((e) => e.id));
    this.#rings.set(cluster, { key, ring });
    return ring;
  }
}
