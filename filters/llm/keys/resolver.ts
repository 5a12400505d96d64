// Presented key → principal: static keys (hashed once when the config loads), then the key store through the cache,
// or a JWT verified with jwt.ts. Synchronous when the answer is in memory (static key, cached store key).
import type { KeyStore, Principal } from '../../../core/llm/index.js';
import { looksLikeJwt } from './credentials.js';
import { KeyCache } from './key-cache.js';
import { hashKey } from './key-material.js';
import type { JwtVerifier } from './jwt.js';
import { jwtInvalid } from './errors.js';
import type { BudgetTierConfig } from './limits-schema.js';
import { principalLimitsOf } from './limits.js';
import { compileModelMatcher, principalOfKey, type ModelMatcher } from './principal.js';
import type { KeysConfig, StaticKeyConfig } from './schema.js';

/** A principal with its compiled model check. */
export interface Resolved {
  principal: Principal;
  allowsModel: ModelMatcher;
}

export function principalOfStatic(k: StaticKeyConfig, hash: string): Principal {
  return {
    key_id: k.id ?? k.alias ?? `static-${hash.slice(0, 8)}`,
    source: 'key',
    alias: k.alias ?? null,
    team: k.team ?? null,
    user: k.user ?? null,
    end_user: null,
    metadata: { ...k.metadata },
    models: [...k.models],
    routes: [...k.routes],
    expires_at: k.expires_at === undefined ? null : Date.parse(k.expires_at),
    blocked: k.blocked,
    budget_tier: null,
    ...(k.priority === undefined ? {} : { priority: k.priority }),
    limits: principalLimitsOf(k),
  };
}

/** A budget tier as the principal carries it, built once per config (the rate limiter caches by the limits object). */
export interface Tier {
  limits: Principal['limits'];
  priority: number | undefined;
}

export const tierOf = (t: BudgetTierConfig): Tier => ({ limits: principalLimitsOf(t), priority: t.priority });

/** A JWT principal with its budget tier's limits; a tier the config does not list is refused. */
export function withTier(p: Principal, tiers: ReadonlyMap<string, Tier>): Principal {
  if (p.budget_tier === null) return p;
  const tier = tiers.get(p.budget_tier);
  if (tier === undefined) throw jwtInvalid(`the token's budget tier "${p.budget_tier}" is not one of the configured budget_tiers`);
  return { ...p, ...(tier.priority === undefined ? {} : { priority: tier.priority }), limits: tier.limits };
}

const resolvedOf = (principal: Principal): Resolved => ({ principal, allowsModel: compileModelMatcher(principal.models) });

/** Distinct presented keys whose hash is remembered; unknown keys are presented too, so the memo is bounded. */
const HASH_MEMO_SIZE = 4096;

export class KeyResolver {
  readonly #static = new Map<string, Resolved>();
  readonly #cache: KeyCache | undefined;
  readonly #tiers: ReadonlyMap<string, Tier>;
  /** Store keys with their compiled matchers, by record (a cached record is the same object on every hit). */
  readonly #fromStore = new WeakMap<object, Resolved>();
  /**
   * Presented key → its SHA-256, for the keys seen lately: a client sends the same key on every request, and the hash
   * was a tenth of the filter's cost. Bounded (started over when full), like the key cache.
   */
  readonly #hashes = new Map<string, string>();

  constructor(
    config: Readonly<KeysConfig>,
    store: KeyStore | undefined,
    private readonly jwt: JwtVerifier | undefined,
  ) {
    this.#tiers = new Map(Object.entries(config.budget_tiers).map(([name, t]) => [name, tierOf(t)]));
    for (const k of config.keys) {
      if (k.key === '') continue;
      const hash = hashKey(k.key);
      this.#static.set(hash, resolvedOf(principalOfStatic(k, hash)));
    }
    if (store !== undefined) {
      this.#cache = new KeyCache((hash) => store.getKeyByHash(hash), {
        ttlMs: config.cache.ttl_ms,
        negativeTtlMs: config.cache.negative_ttl_ms,
        maxEntries: config.cache.max_entries,
      });
    }
  }

  #hashOf(presented: string): string {
    let hash = this.#hashes.get(presented);
    if (hash === undefined) {
      hash = hashKey(presented);
      if (this.#hashes.size >= HASH_MEMO_SIZE) this.#hashes.clear();
      this.#hashes.set(presented, hash);
    }
    return hash;
  }

  /** Drops a store key (or every store key) from the cache, after an admin change. */
  invalidate(hash?: string): void {
    this.#cache?.invalidate(hash);
  }

  get staticKeys(): number {
    return this.#static.size;
  }

  /** A static key's principal by its id (admin reports). */
  staticById(id: string): Principal | undefined {
    for (const r of this.#static.values()) if (r.principal.key_id === id) return r.principal;
    return undefined;
  }

  /** The principal of a presented key; undefined for an unknown key. JWT failures reject with their coded error. */
  resolve(presented: string): Resolved | undefined | Promise<Resolved | undefined> {
    if (this.jwt !== undefined && looksLikeJwt(presented)) return this.jwt.verify(presented).then((v) => resolvedOf(withTier(v.principal, this.#tiers)));
    const hash = this.#hashOf(presented);
    const hit = this.#static.get(hash);
    if (hit !== undefined || this.#cache === undefined) return hit;
    const cached = this.#cache.get(hash);
    if (cached.hit) return this.#ofRecord(cached.record);
    return cached.pending.then((r) => this.#ofRecord(r));
  }

  #ofRecord(record: Parameters<typeof principalOfKey>[0] | undefined): Resolved | undefined {
    if (record === undefined) return undefined;
    let r = this.#fromStore.get(record);
    if (r === undefined) this.#fromStore.set(record, (r = resolvedOf(principalOfKey(record))));
    return r;
  }
}
