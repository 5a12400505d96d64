// One cluster's immutable state: every endpoint in list order, the healthy subset, an index by id and the LB policy
// built over it (one per priority group when endpoints have llm_meta.priority). Any change publishes a new snapshot; a
// request that holds one sees a consistent cluster throughout.
import type { Logger } from 'pino';
import type { EndpointPricer, EndpointStatsView, EndpointView, HashSource } from '../cluster-api.js';
import type { EndpointEntry } from './endpoint-entry.js';
import { createLbPolicy, type LbPolicy, type RoundRobinCursor } from './lb/index.js';
import type { ConsistentSpec, LbPolicyName } from './types.js';

/** What stays fixed for a cluster within one config generation. */
export interface ClusterSettings {
  readonly name: string;
  readonly lbPolicy: LbPolicyName;
  readonly consistent: ConsistentSpec;
  readonly cursor: RoundRobinCursor;
  readonly random: () => number;
  readonly log: Logger;
  /** Live load and latency by endpoint, for the load-aware policies. */
  readonly stats?: (ep: EndpointView) => EndpointStatsView;
  /** The installed pricer, for CostAware. */
  readonly price?: EndpointPricer;
}

/** llm_meta.priority, 0 when absent or not an integer. */
export function priorityOf(ep: EndpointView): number {
  const p = ep.llmMeta?.priority;
  return typeof p === 'number' && Number.isInteger(p) ? p : 0;
}

interface Tier {
  readonly priority: number;
  readonly members: readonly EndpointView[];
  readonly policy: LbPolicy;
}

export class ClusterSnapshot {
  readonly endpoints: readonly EndpointView[];
  readonly healthy: readonly EndpointView[];
  readonly policy: LbPolicy;
  /** Priority groups, highest first; undefined when every endpoint has the same priority (the usual case). */
  readonly tiers: readonly Tier[] | undefined;
  /** Every endpoint, highest priority group first (list order within a group): the fallback order. */
  readonly byPriority: readonly EndpointView[];
  readonly #byId: ReadonlyMap<string, number>;

  constructor(
    readonly settings: ClusterSettings,
    readonly entries: readonly EndpointEntry[],
  ) {
    Object.freeze(entries);
    this.endpoints = Object.freeze(entries.map((e) => e.view));
    this.healthy = Object.freeze(this.endpoints.filter((ep) => ep.healthy));
    this.#byId = new Map(this.endpoints.map((ep, i) => [ep.id, i]));
    const policyOver = (healthy: readonly EndpointView[]): LbPolicy =>
      createLbPolicy(settings.lbPolicy, {
        healthy,
        all: this.endpoints,
        consistent: settings.consistent,
        cursor: settings.cursor,
        random: settings.random,
        log: settings.log,
        cluster: settings.name,
        ...(settings.stats ? { stats: settings.stats } : {}),
        ...(settings.price ? { price: settings.price } : {}),
      });
    this.policy = policyOver(this.healthy);
    const priorities = [...new Set(this.endpoints.map(priorityOf))].sort((a, b) => b - a);
    this.tiers =
      priorities.length < 2
        ? undefined
        : priorities.map((priority) => {
            const members = this.healthy.filter((ep) => priorityOf(ep) === priority);
            return Object.freeze({ priority, members, policy: policyOver(members) });
          });
    this.byPriority = this.tiers === undefined ? this.endpoints : Object.freeze([...this.endpoints].sort((a, b) => priorityOf(b) - priorityOf(a)));
    Object.freeze(this);
  }

  get name(): string {
    return this.settings.name;
  }

  /** A new snapshot of the same cluster over other entries. */
  with(entries: readonly EndpointEntry[]): ClusterSnapshot {
    return new ClusterSnapshot(this.settings, entries);
  }

  indexOf(id: string): number {
    return this.#byId.get(id) ?? -1;
  }

  get(id: string): EndpointView | undefined {
    const i = this.#byId.get(id);
    return i === undefined ? undefined : this.endpoints[i];
  }

  getHealthy(id: string): EndpointView | undefined {
    const ep = this.get(id);
    return ep?.healthy ? ep : undefined;
  }

  /** Pixiu EndpointSnapshot.NextHealthyEndpoint: the first healthy endpoint after `id`, no wrap-around. */
  nextHealthy(id: string): EndpointView | undefined {
    const i = this.#byId.get(id);
    if (i === undefined) return undefined;
    for (let j = i + 1; j < this.endpoints.length; j++) if (this.endpoints[j].healthy) return this.endpoints[j];
    return undefined;
  }

  /**
   * The LB pick. With priority groups (APISIX semantics): the highest group that has a healthy endpoint not cooling
   * down; the group's policy picks, and a cooling pick gives way to the group's first endpoint that is not cooling.
   * When every endpoint cools down, the top group's pick (the proxy skips it and walks the fallbacks).
   */
  pick(src: HashSource, cooling?: (ep: EndpointView) => boolean): EndpointView | undefined {
    if (this.tiers === undefined) return this.policy.pick(src);
    let first: EndpointView | undefined;
    for (const tier of this.tiers) {
      const ep = tier.policy.pick(src);
      if (ep === undefined) continue;
      first ??= ep;
      if (cooling === undefined || !cooling(ep)) return ep;
      const other = this.#standIn(tier.members, cooling, src);
      if (other !== undefined) return other;
    }
    return first;
  }

  /** A cooling pick's stand-in in its group: the first member not cooling; for CostAware the cheapest of them. */
  #standIn(members: readonly EndpointView[], cooling: (ep: EndpointView) => boolean, src: HashSource): EndpointView | undefined {
    const price = this.settings.lbPolicy === 'CostAware' ? this.settings.price : undefined;
    if (price === undefined) return members.find((e) => !cooling(e));
    let best: EndpointView | undefined;
    let bestPrice = Infinity;
    for (const e of members) {
      if (cooling(e)) continue;
      const p = price(e, src) ?? Infinity;
      if (best === undefined || p < bestPrice) [best, bestPrice] = [e, p];
    }
    return best;
  }

}
