// The cluster side of the plugin contract: endpoints as filters and registry adapters see them, their LLM metadata,
// load and latency figures, and the cluster manager a FactoryContext hands out (FactoryContext.clusters).
import type { IncomingHttpHeaders } from 'node:http';

export interface RetryPolicyConfig {
  name: string;
  config: Record<string, unknown>;
}

export interface LlmMeta {
  provider: string;
  api_key: string;
  fallback: boolean;
  /** Cooldown TTL after a failure, ms. 0 disables the cooldown. */
  health_check_interval: number;
  retry_policy: RetryPolicyConfig;
  /** Per-endpoint override of the proxy filter's scheme. */
  scheme?: 'http' | 'https';
  [extra: string]: unknown;
}

export interface EndpointView {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly domains: readonly string[];
  /** `address:port` — the consistent-hash identity (Pixiu GetHost). */
  readonly host: string;
  /** `domains[0]` when set, else `address:port` — the URL authority (Pixiu GetAddress). */
  readonly authority: string;
  readonly meta: Readonly<Record<string, string>>;
  readonly llmMeta: Readonly<LlmMeta> | undefined;
  readonly healthy: boolean;
  /** 'static' for conf.yaml, or e.g. 'nacos:<registry>' / 'etcd:<registry>'. */
  readonly source: string;
}

/** What consistent-hash policies may key on. */
export interface HashSource {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body when available (for a body-field hash key). */
  readonly json?: unknown;
}

export interface EndpointInput {
  id?: string;
  name?: string;
  socket_address?: { address?: string; port?: number; domains?: string[] };
  meta?: Record<string, string>;
  llm_meta?: Partial<LlmMeta>;
  unhealthy?: boolean;
}

export interface CooldownStoreApi {
  inCooldown(cluster: string, ep: EndpointView, now?: number): boolean;
  markFailure(cluster: string, ep: EndpointView, now?: number): void;
  readonly size: number;
}

/** How one upstream attempt on an endpoint ended, for its load and latency figures. */
export interface EndpointOutcome {
  ok: boolean;
  /** Time to the first byte (a stream: its first event); only successful attempts feed the latency average. */
  latencyMs?: number;
}

export interface EndpointStatsView {
  in_flight: number;
  requests: number;
  errors: number;
  /** Moving average of the time to first byte / first token, ms; null before the first success. */
  latency_ms: number | null;
  /** Moving average of failures among recent attempts, 0..1. */
  error_rate: number;
  last_error_at: string | null;
}

/** Per-endpoint load and latency, process-wide (survives reloads). Every begin() must be matched by one end(). */
export interface EndpointStatsApi {
  begin(cluster: string, id: string): void;
  end(cluster: string, id: string, outcome: EndpointOutcome): void;
  view(cluster: string, id: string): EndpointStatsView;
}

/**
 * The price of a request at an endpoint (the CostAware LB policy), in any unit that orders: the LLM layer's price book
 * gives nano-USD of a reference request of the model the endpoint would serve. undefined = not priced.
 */
export type EndpointPricer = (ep: EndpointView, src: HashSource) => number | undefined;

export interface ClusterManagerApi {
  hasCluster(name: string): boolean;
  clusterNames(): string[];
  /** The cluster's LB policy over healthy endpoints; undefined when the cluster is missing or none is healthy. */
  pickEndpoint(cluster: string, src: HashSource): EndpointView | undefined;
  /**
   * False when the cluster's LB policy never reads `HashSource.json` (anything but consistent hashing on a body field),
   * so a caller may skip waiting for the JSON body. Optional; absent means "it may".
   */
  needsBody?(cluster: string): boolean;
  /** The endpoint with this id when it exists and is healthy. */
  getHealthyEndpoint(cluster: string, id: string): EndpointView | undefined;
  getEndpoint(cluster: string, id: string): EndpointView | undefined;
  /** Pixiu's fallback order: the first healthy endpoint after `id` in list order, no wrap-around. */
  nextHealthyEndpoint(cluster: string, id: string): EndpointView | undefined;
  endpoints(cluster: string): readonly EndpointView[];
  /** The endpoints highest `llm_meta.priority` first, list order within a priority; optional (absent: list order). */
  endpointsByPriority?(cluster: string): readonly EndpointView[];
  /** Dynamic add/update (registry adapters). Creates the cluster (RoundRobin) on first use. */
  setEndpoint(cluster: string, ep: EndpointInput, source?: string): EndpointView;
  deleteEndpoint(cluster: string, id: string): boolean;
  setHealthy(cluster: string, id: string, healthy: boolean): void;
  /** The LLM cooldown store (the host's cooldown service: survives reloads). */
  readonly cooldowns: CooldownStoreApi;
  /** In-flight requests and latency per endpoint (survives reloads); optional for managers that keep none. */
  readonly stats?: EndpointStatsApi;
  /** The cluster's LB policy name (Pixiu's or ours); optional. */
  lbPolicyOf?(cluster: string): string | undefined;
  /** Installs the pricer the CostAware policy ranks by (a filter that knows prices does, at create); optional. */
  setEndpointPricer?(pricer: EndpointPricer): void;
}
