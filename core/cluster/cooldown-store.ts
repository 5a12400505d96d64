// The LLM endpoint cooldown store, exactly as Pixiu's proxy keeps it (spec §3.2.6, PR #932): bounded, keyed by
// endpoint identity and credential, TTL = the endpoint's current health_check_interval, lazily swept. One per process:
// the host owns it as cooldownService (cooldown-service.ts).
// It is separate from snapshot health: a cooled-down endpoint stays a load-balancing candidate.
import { createHash } from 'node:crypto';
import type { CooldownStoreApi, EndpointView } from '../cluster-api.js';

export const COOLDOWN_CAPACITY = 1024;
/** 90 % of the capacity: at or above it every lookup sweeps. */
export const COOLDOWN_SWEEP_THRESHOLD = Math.floor((COOLDOWN_CAPACITY * 90) / 100);
export const COOLDOWN_SWEEP_INTERVAL_MS = 1000;

/** Legacy Pixiu metadata keys (PR #731); still exported by Pixiu, unused since the store replaced them. */
export const LLM_UNHEALTHY_KEY = 'LLMUnhealthy';
export const HEALTHY_CHECK_TIME_KEY = 'HealthyCheckTime';

interface CooldownEntry {
  lastFailure: number;
  ttl: number;
}

const ZERO_CREDENTIAL = '0'.repeat(64);

/** The endpoint's current cooldown length; 0 (no llm_meta, or interval ≤ 0) means never in cooldown. */
function ttlOf(ep: EndpointView): number {
  const interval = ep.llmMeta?.health_check_interval;
  return typeof interval === 'number' && interval > 0 ? interval : 0;
}

export class CooldownStore implements CooldownStoreApi {
  readonly #entries = new Map<string, CooldownEntry>();
  #lastSweep: number | undefined;
  // Views are frozen, so the (id, authority, sha256(api_key)) part of a key can be computed once per view.
  #identity = new WeakMap<EndpointView, string>();

  get size(): number {
    return this.#entries.size;
  }

  /** Key = (cluster, id, GetAddress, sha256(api_key) or 32 zero bytes): a moved address or new credential starts fresh. */
  keyOf(cluster: string, ep: EndpointView): string {
    let identity = this.#identity.get(ep);
    if (identity === undefined) {
      const apiKey = ep.llmMeta?.api_key ?? '';
      const credential = apiKey === '' ? ZERO_CREDENTIAL : createHash('sha256').update(apiKey, 'utf8').digest('hex');
      identity = JSON.stringify([ep.id, ep.authority, credential]);
      this.#identity.set(ep, identity);
    }
    return `${JSON.stringify(cluster)}${identity}`;
  }

  inCooldown(cluster: string, ep: EndpointView, now: number = Date.now()): boolean {
    // Nothing has failed lately (the usual case): no key to build, nothing to sweep.
    if (this.#entries.size === 0) return false;
    const key = this.keyOf(cluster, ep);
    this.#sweep(now, key);
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    // The TTL follows the endpoint's current interval: a reload that lengthens it extends a running cooldown.
    entry.ttl = ttlOf(ep);
    if (now - entry.lastFailure < entry.ttl) return true;
    this.#entries.delete(key);
    return false;
  }

  markFailure(cluster: string, ep: EndpointView, now: number = Date.now()): void {
    const key = this.keyOf(cluster, ep);
    this.#sweep(now, key);
    if (!this.#entries.has(key) && this.#entries.size >= COOLDOWN_CAPACITY) this.#evictOldest(key);
    this.#entries.set(key, { lastFailure: now, ttl: ttlOf(ep) });
  }

  /** The stored entry (tests and /config); undefined when none. */
  entry(cluster: string, ep: EndpointView): Readonly<CooldownEntry> | undefined {
    const e = this.#entries.get(this.keyOf(cluster, ep));
    return e === undefined ? undefined : { ...e };
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.#entries.clear();
    this.#lastSweep = undefined;
  }

  #sweep(now: number, currentKey: string): void {
    const due =
      this.#entries.size >= COOLDOWN_SWEEP_THRESHOLD ||
      this.#lastSweep === undefined ||
      now - this.#lastSweep >= COOLDOWN_SWEEP_INTERVAL_MS;
    if (!due) return;
    this.#lastSweep = now;
    // The current key is spared: its TTL is about to be refreshed from the endpoint's current interval.
    for (const [key, e] of this.#entries) {
      if (key !== currentKey && now - e.lastFailure >= e.ttl) this.#entries.delete(key);
    }
  }

  #evictOldest(except: string): void {
    let oldestKey: string | undefined;
    let oldest = Infinity;
    for (const [key, e] of this.#entries) {
      if (key !== except && e.lastFailure < oldest) {
        oldest = e.lastFailure;
        oldestKey = key;
      }
    }
    if (oldestKey !== undefined) this.#entries.delete(oldestKey);
  }
}
