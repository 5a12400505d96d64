// The effective routing of a config, as `dgp routes` prints it and GET /admin/v1/routes returns it: each listener's
// routes in match order with their filter chain (route overrides marked), and each cluster's endpoints. Secrets are
// never shown: an endpoint's key is only `set` or `unset`.
import type { BootstrapConfig, RouteConfig } from './schema/index.js';

export interface RouteView {
  id: string;
  /** How the route matches, in Pixiu's terms: `prefix /v1/`, `path /x/:id`, `regex ^/v1/.*$`. */
  match: string;
  methods: string[];
  headers: string[];
  cluster: string;
  /** The filter chain in decode order; `*` marks a filter whose config this route overrides. */
  filters: Array<{ kind: string; overridden: boolean }>;
  priority?: number;
}

export interface ListenerView {
  name: string;
  url: string;
  routes: RouteView[];
}

export interface EndpointView {
  id: string;
  target: string;
  provider: string;
  api_key: 'set' | 'unset';
  retry: string;
  fallback: boolean;
  model_map: Record<string, string>;
  unhealthy: boolean;
}

export interface ClusterView {
  name: string;
  lb_policy: string;
  endpoints: EndpointView[];
}

export interface RoutesView {
  listeners: ListenerView[];
  clusters: ClusterView[];
  /** Clusters named by routes but not defined here (they must come from a registry adapter). */
  external_clusters: string[];
}

export function routesView(config: BootstrapConfig, ports: Record<string, number> = {}): RoutesView {
  const defined = new Set(config.static_resources.clusters.map((c) => c.name));
  const external = new Set<string>();
  const listeners = config.static_resources.listeners.map((l, i): ListenerView => {
    const name = l.name || `listener-${i}`;
    const url = listenerUrl(l, ports[name] ?? l.address.socket_address.port);
    const hcm = l.filter_chains.filters.find((f) => f.name === 'dgp.filter.httpconnectionmanager')?.config;
    const chain = hcm?.http_filters.map((f) => f.name) ?? [];
    const routes = (hcm?.route_config.routes ?? []).map((r, j) => {
      if (!defined.has(r.route.cluster)) external.add(r.route.cluster);
      return routeView(r, `${name}#${j}`, chain);
    });
    return { name, url, routes };
  });
  const clusters = config.static_resources.clusters.map((c): ClusterView => ({
    name: c.name,
    lb_policy: c.lb_policy,
    endpoints: c.endpoints.map((e, i) => {
      const sock = e.socket_address;
      const host = sock.domains[0] ?? sock.address;
      const scheme = e.llm_meta?.scheme ? `${e.llm_meta.scheme}://` : '';
      const retry = e.llm_meta?.retry_policy;
      const times = retry?.config.times;
      return {
        id: e.id || String(i),
        target: `${scheme}${host.includes(':') && !host.startsWith('[') && sock.domains.length === 0 ? `[${host}]` : host}${/:\d+$/.test(host) ? '' : `:${sock.port}`}`,
        provider: e.llm_meta?.provider || '-',
        api_key: e.llm_meta?.api_key ? 'set' : 'unset',
        retry: retry ? `${retry.name}${times !== undefined ? ` (times ${String(times)})` : ''}` : '-',
        fallback: e.llm_meta?.fallback ?? false,
        model_map: e.llm_meta?.model_map ?? {},
        unhealthy: e.unhealthy,
      };
    }),
  }));
  return { listeners, clusters, external_clusters: [...external] };
}

function routeView(r: RouteConfig, fallbackId: string, chain: string[]): RouteView {
  const m = r.match;
  const match = m.regex ? `regex ${m.regex}` : m.path ? `path ${m.path}` : m.prefix ? `prefix ${m.prefix}` : m.headers.length ? 'headers only' : 'prefix /';
  const overrides = r.route.filters ?? {};
  return {
    id: r.id || fallbackId,
    match,
    methods: m.methods,
    headers: m.headers.map((h) => `${h.name}${h.regex ? ' ~ ' : ' = '}${h.values.join(' | ')}`),
    cluster: r.route.cluster,
    filters: chain.map((kind) => ({ kind, overridden: Object.hasOwn(overrides, kind) })),
    ...(r.route.priority !== undefined ? { priority: r.route.priority } : {}),
  };
}

/** http(s)://address:port of a listener, as a client on this machine would write it. */
export function listenerUrl(l: BootstrapConfig['static_resources']['listeners'][number], port: number): string {
  return `${l.protocol_type === 'HTTPS' ? 'https' : 'http'}://${hostForUrl(l.address.socket_address.address)}:${port}`;
}

/** An address as a URL host: IPv6 in brackets, an empty address as the wildcard. */
export function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address || '0.0.0.0';
}

/** The text `dgp routes` prints. */
export function formatRoutesView(v: RoutesView): string {
  const out: string[] = [];
  for (const l of v.listeners) {
    out.push(`listener ${l.name}  ${l.url}`);
    if (l.routes.length === 0) out.push('  (no routes: every request gets 404)');
    for (const r of l.routes) {
      const extra = [r.methods.length ? r.methods.join(',') : '', ...r.headers.map((h) => `header ${h}`), r.priority !== undefined ? `priority ${r.priority}` : ''].filter(Boolean);
      out.push(`  route ${r.id}  ${r.match}${extra.length ? `  [${extra.join('; ')}]` : ''}  → cluster ${r.cluster}`);
      out.push(`    filters: ${r.filters.map((f) => `${f.kind}${f.overridden ? '*' : ''}`).join(' → ') || '(none)'}`);
    }
  }
  if (v.listeners.some((l) => l.routes.some((r) => r.filters.some((f) => f.overridden)))) out.push('  (* = config overridden by the route)');
  for (const c of v.clusters) {
    out.push(`cluster ${c.name}  ${c.lb_policy}`);
    if (c.endpoints.length === 0) out.push('  (no static endpoints)');
    for (const e of c.endpoints) {
      const map = Object.entries(e.model_map).map(([a, b]) => `${a}→${b}`).join(', ');
      out.push(`  endpoint ${e.id}  ${e.target}  provider ${e.provider}  key ${e.api_key}  retry ${e.retry}${e.fallback ? '  fallback' : ''}${e.unhealthy ? '  UNHEALTHY' : ''}${map ? `  model_map ${map}` : ''}`);
    }
  }
  for (const c of v.external_clusters) out.push(`cluster ${c}  (from a registry adapter; endpoints known at run time)`);
  return out.join('\n');
}
