// One cluster's immutable state: every endpoint in list order, the healthy subset, an index by id and the LB policy
// built over it. Any change publishes a new snapshot; a request that holds one sees a consistent cluster throughout.
import type { Logger } from 'pino';
import type { EndpointView, HashSource } from '../plugin-api.js';
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
}

export class ClusterSnapshot {
  readonly endpoints: readonly EndpointView[];
  readonly healthy: readonly EndpointView[];
  readonly policy: LbPolicy;
  readonly #byId: ReadonlyMap<string, number>;

  constructor(
    readonly settings: ClusterSettings,
    readonly entries: readonly EndpointEntry[],
  ) {
    Object.freeze(entries);
    this.endpoints = Object.freeze(entries.map((e) => e.view));
    this.healthy = Object.freeze(this.endpoints.filter((ep) => ep.healthy));
    this.#byId = new Map(this.endpoints.map((ep, i) => [ep.id, i]));
    this.policy = createLbPolicy(settings.lbPolicy, {
      healthy: this.healthy,
      all: this.endpoints,
      consistent: settings.consistent,
      cursor: settings.cursor,
      random: settings.random,
      log: settings.log,
      cluster: settings.name,
    });
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

  pick(src: HashSource): EndpointView | undefined {
    return this.policy.pick(src);
  }
}
