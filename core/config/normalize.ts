// Builds the NORMALISED BootstrapConfig from a validated, defaulted value: durations → ms, ID/id and
// UnHealthy/unhealthy merged, ids → strings, unknown lb_policy → Rand, retry names canonical, paths absolute,
// header names lower-case.
import { resolve } from 'node:path';
import { clusterNames } from './config-walk.js';
import { parseDuration } from './duration.js';
import { LB_POLICIES, RETRY_POLICIES } from './schema/index.js';
import type { AdapterConfig, AdmissionConfig, AuditConfig, AuditSinkConfig, TracingConfig, BootstrapConfig, ClusterConfig, EndpointConfig, HcmConfig, GateConfig, HealthCheckConfig, LbPolicy, ListenerConfig, LlmMeta, RouteConfig } from './types.js';

// The value has passed the schema, so these shapes hold; `R` keeps the accessors short and honest about it.
type R = Record<string, any>;

const ms = (v: unknown): number => (v === undefined ? 0 : parseDuration(v as string | number));
const idString = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export function normalizeConfig(value: unknown, configDir: string): BootstrapConfig {
  const root = value as R;
  const sr = root.static_resources as R;
  const names = clusterNames(value);
  const sd = sr.shutdown_config as R;
  return {
    static_resources: {
      listeners: (sr.listeners as R[]).map((l, i) => listener(l, i, configDir)),
      clusters: (sr.clusters as R[]).map((c, i) => cluster(c, names[i]!)),
      adapters: (sr.adapters as R[]).map(adapter),
      shutdown_config: { timeout: ms(sd.timeout), step_timeout: ms(sd.step_timeout), reject_policy: sd.reject_policy },
    },
    metric: { ...(root.metric as R) } as BootstrapConfig['metric'],
    admin: { ...(root.admin as R) } as BootstrapConfig['admin'],
    plugins: {
      dirs: (root.plugins.dirs as string[]).map((d) => resolve(configDir, d)),
      create_timeout: ms(root.plugins.create_timeout),
      close_timeout: ms(root.plugins.close_timeout),
      allow_unsafe: root.plugins.allow_unsafe === true,
      integrity: integrityMap(root.plugins.integrity as Record<string, string> | undefined),
    },
    workers: { ...(root.workers as R) } as BootstrapConfig['workers'],
    admission: admission(root.admission as R),
    log: { ...(root.log as R) } as BootstrapConfig['log'],
    audit: audit((root.audit ?? {}) as R, configDir),
    tracing: tracing((root.tracing ?? {}) as R),
  };
}

function audit(a: R, configDir: string): AuditConfig {
  const file = (f: string): string => (f ? resolve(configDir, f) : '');
  const sinks = ((a.sinks ?? []) as R[]).map((s): AuditSinkConfig => {
    switch (s.type) {
      case 'file':
        return { type: 'file', path: file(s.path), max_bytes: s.max_bytes ?? 104_857_600, max_files: s.max_files ?? 5 };
      case 'webhook':
        return {
          type: 'webhook', url: s.url, headers: { ...(s.headers ?? {}) }, batch_size: s.batch_size ?? 100, timeout: ms(s.timeout ?? '5s'),
          max_retries: s.max_retries ?? 3, retry_backoff: ms(s.retry_backoff ?? '200ms'), dead_letter: file(s.dead_letter ?? ''),
        };
      case 'redis_stream':
        return { type: 'redis_stream', store: s.store, stream: s.stream ?? 'dgp:audit', max_len: s.max_len ?? 1_000_000 };
      default:
        return { type: 'stdout' };
    }
  });
  const b = (a.bodies ?? {}) as R;
  return {
    sinks,
    hmac_secret: a.hmac_secret ?? '',
    max_queue: a.max_queue ?? 10_000,
    flush_interval: ms(a.flush_interval ?? '1s'),
    bodies: { mode: b.mode ?? 'off', max_bytes: b.max_bytes ?? 4096 },
  };
}

/** Pixiu's fields (name, serviceName, sampler.type/param, config.endpoint|url) fill what dgp's own fields leave open. */
function tracing(t: R): TracingConfig {
  const sampler = (t.sampler ?? {}) as R;
  const pixiu = (t.config ?? {}) as R;
  const exporter = (t.exporter ?? {}) as R;
  const batch = (t.batch ?? {}) as R;
  const pixiuEndpoint = typeof pixiu.endpoint === 'string' ? pixiu.endpoint : typeof pixiu.url === 'string' ? pixiu.url : undefined;
  let ratio: number = sampler.ratio ?? sampler.param ?? 1;
  if (sampler.ratio === undefined && sampler.type === 'const' && typeof sampler.param === 'number') ratio = sampler.param >= 1 ? 1 : 0;
  return {
    enabled: t.enabled ?? (typeof t.name === 'string' && t.name !== ''),
    service_name: t.service_name ?? t.serviceName ?? 'dgp-gateway',
    exporter: { endpoint: exporter.endpoint ?? pixiuEndpoint ?? 'http://127.0.0.1:4318/v1/traces', timeout: ms(exporter.timeout ?? '2s'), headers: { ...(exporter.headers ?? {}) } },
    ratio,
    batch: { max_queue: batch.max_queue ?? 2048, max_export_batch: batch.max_export_batch ?? 512, schedule_delay: ms(batch.schedule_delay ?? '2s') },
    propagate_to_upstream: t.propagate_to_upstream ?? false,
    attribute_value_limit: t.attribute_value_limit ?? 4096,
  };
}

/** `sha256-<hex>` or `<hex>` → lower-case hex; undefined when no allowlist is configured. */
function integrityMap(v: Record<string, string> | undefined): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, hash] of Object.entries(v)) Object.defineProperty(out, k, { value: hash.replace(/^sha256-/, '').toLowerCase(), enumerable: true });
  return out;
}

function listener(l: R, index: number, configDir: string): ListenerConfig {
  const c = l.config as R;
  const file = (f: string): string => (f ? resolve(configDir, f) : '');
  return {
    name: l.name || `listener-${index + 1}`,
    protocol_type: l.protocol_type,
    address: { socket_address: { address: l.address.socket_address.address, port: l.address.socket_address.port } },
    filter_chains: { filters: (l.filter_chains.filters as R[]).map((f) => ({ name: f.name, config: hcm(f.config) })) },
    config: {
      idle_timeout: ms(c.idle_timeout),
      read_timeout: ms(c.read_timeout),
      write_timeout: ms(c.write_timeout),
      headers_timeout: ms(c.headers_timeout),
      max_header_bytes: c.max_header_bytes,
      max_body_bytes: c.max_body_bytes,
      cert_file: file(c.cert_file),
      key_file: file(c.key_file),
    },
  };
}

function hcm(h: R): HcmConfig {
  return {
    route_config: { routes: (h.route_config.routes as R[]).map(route), dynamic: h.route_config.dynamic },
    http_filters: (h.http_filters as R[]).map((f) => ({ name: f.name, config: f.config })),
    server_name: h.server_name,
    idle_timeout: ms(h.idle_timeout),
    generate_request_id: h.generate_request_id,
    timeout: ms(h.timeout),
    error_format: h.error_format,
  };
}

function route(r: R): RouteConfig {
  const m = r.match as R;
  return {
    id: idString(r.id),
    match: {
      prefix: m.prefix,
      path: m.path,
      regex: m.regex,
      methods: m.methods,
      headers: (m.headers as R[]).map((h) => ({ name: h.name, values: h.values, regex: h.regex })),
      model: [...(m.model as string[])],
    },
    route: {
      cluster: r.route.cluster,
      cluster_not_found_response_code: r.route.cluster_not_found_response_code,
      ...(r.route.priority === undefined ? {} : { priority: r.route.priority }),
      ...(r.route.filters === undefined ? {} : { filters: r.route.filters }),
    },
  };
}

function cluster(c: R, name: string): ClusterConfig {
  const lb = (LB_POLICIES as readonly string[]).includes(c.lb_policy) ? (c.lb_policy as LbPolicy) : 'Rand';
  return {
    name,
    type: c.type || 'EDS',
    lb_policy: lb,
    consistent: { ...(c.consistent as R) } as ClusterConfig['consistent'],
    health_checks: (c.health_checks as R[]).map(healthCheck),
    endpoints: (c.endpoints as R[]).map(endpoint),
    admission: gate(c.admission as R),
  };
}

function healthCheck(h: R): HealthCheckConfig {
  return {
    protocol: h.protocol,
    http_path: h.http_path,
    method: h.method,
    headers: { ...h.headers },
    timeout: ms(h.timeout),
    interval: ms(h.interval),
    initial_delay_seconds: h.initial_delay_seconds,
    healthy_threshold: h.healthy_threshold,
    unhealthy_threshold: h.unhealthy_threshold,
    healthy_statuses: [...h.healthy_statuses],
  };
}

function gate(g: R): GateConfig {
  return { max_concurrency: g.max_concurrency, queue: { max_length: g.queue.max_length, max_wait: ms(g.queue.max_wait) } };
}

function admission(a: R): AdmissionConfig {
  const p = a.priority as R;
  return {
    ...gate(a),
    shed_heap_fraction: a.shed_heap_fraction,
    priority: { default: p.default, allow_header: p.allow_header, header: String(p.header).toLowerCase(), header_max: p.header_max },
  };
}

function endpoint(e: R): EndpointConfig {
  const s = e.socket_address as R;
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.meta as R)) meta[k] = String(v);
  return {
    id: idString(e.ID ?? e.id),
    name: e.name,
    socket_address: { address: s.address, port: s.port, domains: s.domains, resolver_name: s.resolver_name, certs_dir: s.certs_dir },
    meta,
    unhealthy: Boolean(e.UnHealthy ?? e.unhealthy ?? false),
    llm_meta: e.llm_meta ? llmMeta(e.llm_meta) : undefined,
  };
}

function llmMeta(m: R): LlmMeta {
  const retry = m.retry_policy as R;
  const canonical = RETRY_POLICIES.find((p) => p.toLowerCase() === String(retry.name).toLowerCase());
  // Keys outside retry_policy.config are dropped, as Pixiu drops them (the loader warned about each).
  const out: LlmMeta = {
    provider: m.provider,
    api_key: m.api_key,
    fallback: m.fallback,
    health_check_interval: ms(m.health_check_interval),
    retry_policy: { name: canonical ?? retry.name, config: retry.config },
  };
  if (m.scheme !== undefined) out.scheme = m.scheme;
  if (m.model_map !== undefined) out.model_map = m.model_map;
  if (m.options !== undefined) out.options = m.options;
  return out;
}

function adapter(a: R): AdapterConfig {
  return { id: idString(a.id), name: a.name, enabled: a.enabled === true || a.enabled === 'true', config: a.config };
}
