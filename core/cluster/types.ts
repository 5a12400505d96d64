// The cluster input shapes (structurally identical to the config engineer's normalised ClusterConfig, so core/cluster
// does not depend on core/config) and the plain JSON view that GET /config shows.
import type { LlmMeta } from '../cluster-api.js';

/** Pixiu's policy names (exact case). Anything else runs as Rand (Pixiu behaviour; `dgp validate` warns). */
export type LbPolicyName = 'Rand' | 'RoundRobin' | 'RingHashing' | 'MaglevHashing' | 'WeightRandom' | 'LeastRequest' | 'LatencyEwma' | 'CostAware';

/** What a consistent-hash policy keys on (dgp extension; Pixiu always uses method_uri). */
export type HashOn = 'method_uri' | 'path' | 'header' | 'body';

export interface ConsistentSpec {
  /** Virtual nodes per endpoint on the ring; 0 = 10 (gost's default). */
  readonly replica_num: number;
  /** Size of the ring's hash space (gost bucketNum); 0 = 2^32 − 1. */
  readonly max_vnode_num: number;
  /** Maglev lookup-table size; 0 = the smallest prime of Pixiu's list greater than 100 × endpoints. */
  readonly maglev_table_size: number;
  readonly hash_on: HashOn;
  /** Header name (hash_on: header) or top-level JSON body field (hash_on: body). */
  readonly hash_key: string;
}

export interface SocketAddressSpec {
  readonly address: string;
  readonly port: number;
  readonly domains: readonly string[];
  readonly resolver_name?: string;
  readonly certs_dir?: string;
}

export interface EndpointSpec {
  /** '' = generated (GenerateEndpointID). */
  readonly id: string;
  /** '' = `endpoint-<i+1>#<provider>` / `endpoint-<i+1>`. */
  readonly name: string;
  readonly socket_address: SocketAddressSpec;
  readonly meta: Readonly<Record<string, string>>;
  /** Static health seed. */
  readonly unhealthy: boolean;
  readonly llm_meta: LlmMeta | undefined;
}

/** One active health check (the normalised config: durations in ms). */
export interface HealthCheckSpec {
  readonly protocol: 'http' | 'https' | 'tcp';
  readonly http_path: string;
  readonly method: 'GET' | 'HEAD';
  readonly headers: Readonly<Record<string, string>>;
  readonly timeout: number;
  readonly interval: number;
  readonly initial_delay_seconds: number;
  readonly healthy_threshold: number;
  readonly unhealthy_threshold: number;
  readonly healthy_statuses: readonly number[];
}

export interface ClusterSpec {
  readonly name: string;
  readonly type: string;
  readonly lb_policy: LbPolicyName | (string & {});
  readonly consistent: ConsistentSpec;
  readonly health_checks: readonly HealthCheckSpec[];
  readonly endpoints: readonly EndpointSpec[];
}

export const DEFAULT_CONSISTENT: ConsistentSpec = Object.freeze({
  replica_num: 0,
  max_vnode_num: 0,
  maglev_table_size: 0,
  hash_on: 'method_uri',
  hash_key: '',
});

/** One endpoint as GET /config shows it: never the api key. */
export interface EndpointSummary {
  id: string;
  name: string;
  authority: string;
  host: string;
  /** Marked healthy (static seed, registry, active checks) and not in cooldown. */
  healthy: boolean;
  /** ISO time the endpoint's cooldown ends, null when it is not cooling down. */
  cooldown_until: string | null;
  source: string;
  /** llm_meta.provider, or null when the endpoint has no llm_meta. */
  provider: string | null;
}

/** One cluster as GET /admin/v1/clusters shows it. */
export interface ClusterView {
  name: string;
  lb_policy: LbPolicyName;
  active_checks: Array<{ protocol: string; http_path: string; interval_ms: number; timeout_ms: number }>;
  endpoints: Array<Record<string, unknown> & { id: string; healthy: boolean; cooldown_until: string | null }>;
}

export interface ClusterSummary {
  name: string;
  /** The policy that actually runs (an unknown configured name shows as Rand). */
  lb_policy: LbPolicyName;
  endpoints: EndpointSummary[];
}

/** What changed; observers (metrics, /config, kvcache) re-read the cluster they care about. */
export interface ClusterChange {
  readonly cluster: string;
  readonly reason: 'set-endpoint' | 'delete-endpoint' | 'health' | 'cluster-created';
  /** The endpoint concerned, when one is. */
  readonly endpointId?: string;
}

export type ClusterChangeListener = (change: ClusterChange) => void;
