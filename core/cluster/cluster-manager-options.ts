// What a ClusterManager is built with: the previous generation's manager (its state carries over) and the services
// that outlive generations; each defaults to the previous manager's.
import type { Logger } from 'pino';
import type { ClusterManager } from './cluster-manager.js';
import type { CooldownStore } from './cooldown-store.js';
import type { EndpointStats } from './endpoint-stats.js';

export interface ClusterManagerOptions {
  /** The manager of the generation being replaced: RR cursors, health and dynamic endpoints carry over from it. */
  previous?: ClusterManager;
  log?: Logger;
  /** Uniform [0, 1) source for Rand and WeightRandom; Math.random by default (tests inject a seeded one). */
  random?: () => number;
  /** The host's cooldown store service (outlives generations); default: the previous manager's, else a new one. */
  cooldowns?: CooldownStore;
  /** Per-endpoint load and latency; default: the previous manager's, else a new one. */
  stats?: EndpointStats;
  /** Active health probes finished (metrics). */
  onProbe?: (cluster: string, id: string, ok: boolean) => void;
}
