// The NORMALISED bootstrap config the rest of the core codes against: defaults applied, durations in ms, Pixiu key
// spellings merged (ID/id, UnHealthy/unhealthy), ids as strings, plugin dirs absolute.
import type { ErrorFormat } from '../plugin-api.js';
import type { LlmMeta as SdkLlmMeta } from '../cluster-api.js';

export type LbPolicy = 'Rand' | 'RoundRobin' | 'RingHashing' | 'MaglevHashing' | 'WeightRandom';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type { ErrorFormat };
export type HashOn = 'method_uri' | 'path' | 'header' | 'body';

export interface BootstrapConfig {
  static_resources: {
    listeners: ListenerConfig[];
    clusters: ClusterConfig[];
    adapters: AdapterConfig[];
    /** ms; timeout defaults to 30000. */
    shutdown_config: { timeout: number; step_timeout: number; reject_policy: string };
  };
  metric: { enable: boolean; prometheus_port: number; max_series_per_metric: number };
  admin: { enabled: boolean; address: string; port: number; token: string; allowed_hosts: string[] };
  /** Absolute paths (relative ones in conf.yaml are resolved against the config directory). */
  plugins: {
    dirs: string[];
    /** ms. */
    create_timeout: number;
    close_timeout: number;
    allow_unsafe: boolean;
    /** Package folder name → sha256 hex of its entry; undefined = no allowlist. */
    integrity: Record<string, string> | undefined;
  };
  /** threads 0 = auto (cores - 1, at least 1). */
  workers: { threads: number; max_queue: number };
  admission: AdmissionConfig;
  log: { level: LogLevel; access_log: boolean; format: 'json' | 'pretty' };
  audit: AuditConfig;
  tracing: TracingConfig;
}

/** One audit sink; paths absolute, durations in ms. */
export type AuditSinkConfig =
  | { type: 'stdout' }
  | { type: 'file'; path: string; max_bytes: number; max_files: number }
  | { type: 'webhook'; url: string; headers: Record<string, string>; batch_size: number; timeout: number; max_retries: number; retry_backoff: number; dead_letter: string }
  | { type: 'redis_stream'; store: string; stream: string; max_len: number };

export interface AuditConfig {
  sinks: AuditSinkConfig[];
  hmac_secret: string;
  max_queue: number;
  /** ms. */
  flush_interval: number;
  bodies: { mode: 'off' | 'all' | 'per_key'; max_bytes: number };
}

/** Pixiu's tracing block resolved into dgp's fields; durations in ms. */
export interface TracingConfig {
  enabled: boolean;
  service_name: string;
  exporter: { endpoint: string; timeout: number; headers: Record<string, string> };
  ratio: number;
  batch: { max_queue: number; max_export_batch: number; schedule_delay: number };
  propagate_to_upstream: boolean;
  attribute_value_limit: number;
}

/** A concurrency cap and its queue; max_concurrency 0 = no cap; max_wait in ms. */
export interface GateConfig {
  max_concurrency: number;
  queue: { max_length: number; max_wait: number };
}

export interface AdmissionConfig extends GateConfig {
  /** 0 = never shed. */
  shed_heap_fraction: number;
  priority: {
    default: number;
    allow_header: boolean;
    /** Lower-case header name. */
    header: string;
    /** undefined: the header may only lower the priority. */
    header_max: number | undefined;
  };
}

export interface ListenerConfig {
  name: string;
  protocol_type: 'HTTP' | 'HTTPS';
  address: { socket_address: { address: string; port: number } };
  filter_chains: { filters: Array<{ name: string; config: HcmConfig }> };
  config: ListenerHttpConfig;
}

/** Durations in ms. */
export interface ListenerHttpConfig {
  idle_timeout: number;
  read_timeout: number;
  /** 0 = none; accepted, and documented as not cutting streams. */
  write_timeout: number;
  headers_timeout: number;
  max_header_bytes: number;
  max_body_bytes: number;
  /** Absolute path, or '' when unset. */
  cert_file: string;
  key_file: string;
}

export interface HcmConfig {
  route_config: { routes: RouteConfig[]; dynamic: boolean };
  http_filters: Array<{ name: string; config: Record<string, unknown> }>;
  server_name: string;
  /** ms, 0 = not set. */
  idle_timeout: number;
  generate_request_id: boolean;
  /** ms, 0 = none. */
  timeout: number;
  error_format: ErrorFormat;
}

export interface RouteConfig {
  id: string;
  match: {
    prefix: string;
    path: string;
    regex: string;
    /** [] = Pixiu's default set (GET POST PUT DELETE PATCH OPTIONS HEAD). */
    methods: string[];
    headers: Array<{ name: string; values: string[]; regex: boolean }>;
    /** Model names or `*` patterns; [] = any model. */
    model: string[];
  };
  route: {
    cluster: string;
    cluster_not_found_response_code: number;
    /** Admission priority of the route's requests; undefined = not set. */
    priority?: number;
    /** Per-route filter overrides: kind → partial config, deep-merged into the listener's filter config. */
    filters?: Record<string, Record<string, unknown>>;
  };
}

export interface ClusterConfig {
  name: string;
  type: string;
  lb_policy: LbPolicy;
  consistent: { replica_num: number; max_vnode_num: number; maglev_table_size: number; hash_on: HashOn; hash_key: string };
  health_checks: HealthCheckConfig[];
  endpoints: EndpointConfig[];
  admission: GateConfig;
}

/** One active health check, durations in ms. */
export interface HealthCheckConfig {
  protocol: 'http' | 'https' | 'tcp';
  http_path: string;
  method: 'GET' | 'HEAD';
  headers: Record<string, string>;
  timeout: number;
  interval: number;
  initial_delay_seconds: number;
  healthy_threshold: number;
  unhealthy_threshold: number;
  healthy_statuses: number[];
}

export interface EndpointConfig {
  /** '' when absent (the cluster manager assigns one). */
  id: string;
  name: string;
  socket_address: { address: string; port: number; domains: string[]; resolver_name: string; certs_dir: string };
  meta: Record<string, string>;
  unhealthy: boolean;
  llm_meta: LlmMeta | undefined;
}

/** The SDK's LlmMeta (what filters see on an endpoint) plus the config-only additions. */
export interface LlmMeta extends SdkLlmMeta {
  /** ms; 0 disables the cooldown. */
  health_check_interval: number;
  retry_policy: { name: string; config: Record<string, unknown> };
  scheme?: 'http' | 'https';
  model_map?: Record<string, string>;
  options?: Record<string, unknown>;
}

export interface AdapterConfig {
  id: string;
  /** The adapter kind, e.g. dgp.adapter.llmregistrycenter. */
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
}
