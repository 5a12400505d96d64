// The OpenAPI 3.1 description of the admin API, served at GET /admin/v1/openapi.json. The host's endpoints are
// described here; the built-in plugins' admin routes (keys, budgets, spend, cache) are described too, since the host
// ships them, and every route a plugin mounts at run time is appended from the route table with its description.
// test/core/admin/openapi.test.ts checks the real answers against these schemas.
import { readFileSync } from 'node:fs';
import type { AdminRouteInfo } from './route-api.js';

let version: string | undefined;

/** The gateway's package version (package.json above this module, from dist/ or from the sources). */
export function hostVersion(): string {
  if (version !== undefined) return version;
  for (const up of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dgp-gateway' && pkg.version) return (version = pkg.version);
    } catch {
      // not there from this layout
    }
  }
  return (version = '0.0.0');
}

type Schema = Record<string, unknown>;

const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties), extra = true): Schema => ({ type: 'object', properties, required, additionalProperties: extra });
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const arr = (items: Schema): Schema => ({ type: 'array', items });

export const ADMIN_SCHEMAS: Record<string, Schema> = {
  Error: obj({ error: obj({ message: str, code: str }) }),
  Health: obj({ status: { const: 'ok' } }),
  Ready: obj({ status: { enum: ['ready', 'starting', 'not_ready', 'draining', 'degraded'] }, detail: { type: 'object' } }, ['status']),
  Index: obj({ endpoints: arr(obj({ method: str, path: str, description: str })), routes: arr(obj({ method: str, path: str, kind: str }, ['method', 'path'])) }),
  Config: obj({
    generation: int,
    file: str,
    config: { type: 'object' },
    runtime: obj({ clusters: arr({ type: 'object' }), listeners: { type: 'object', additionalProperties: int } }, ['clusters', 'listeners']),
    last_reload: nullable(obj({ ok: bool, at: str, generation: int }, ['ok', 'at', 'generation'])),
  }),
  Plugins: arr(obj({ kind: str, type: { enum: ['filter', 'adapter', 'provider'] }, description: str, source: str, builtin: bool }, ['kind', 'type', 'description', 'builtin'])),
  Reload: obj({ ok: bool, at: str, generation: int }, ['ok', 'at', 'generation']),
  Routes: obj({
    generation: int,
    listeners: arr(obj({ name: str, url: str, routes: arr(obj({ id: str, match: str, methods: arr(str), headers: arr(str), cluster: str, filters: arr(obj({ kind: str, overridden: bool })) }, ['id', 'match', 'cluster', 'filters'])) })),
    clusters: arr(obj({ name: str, lb_policy: str, endpoints: arr(obj({ id: str, target: str, provider: str, api_key: { enum: ['set', 'unset'] } }, ['id', 'target', 'provider', 'api_key'])) })),
    external_clusters: arr(str),
  }, ['listeners', 'clusters', 'external_clusters']),
  Clusters: obj({ clusters: arr(obj({ name: str, lb_policy: str, endpoints: arr(obj({ id: str, healthy: bool, cooldown_until: nullable(str) })) }, ['name', 'endpoints'])) }),
  Key: obj({ id: str, alias: nullable(str), blocked: bool, team_id: nullable(str), user_id: nullable(str) }, ['id']),
  KeyList: obj({ items: arr({ $ref: '#/components/schemas/Key' }), next: str }, ['items']),
  Budgets: obj({ budgets: arr({ type: 'object' }) }, ['budgets']),
  CachePurge: obj({ purged: int }, ['purged']),
};

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description: string): Schema => ({ description, content: { 'application/json': { schema } } });
const errors = { '401': json(ref('Error'), 'the admin token is required (admin.token is set)'), '403': json(ref('Error'), 'a cross-site or foreign-Host request') };

interface HostOp {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  response?: string;
  open?: boolean;
  produces?: string;
}

const HOST_OPS: HostOp[] = [
  { method: 'get', path: '/', summary: 'The admin endpoints and the plugin routes mounted now', response: 'Index' },
  { method: 'get', path: '/health', summary: 'Liveness (open: no token, any Host)', response: 'Health', open: true },
  { method: 'get', path: '/ready', summary: 'Readiness: 200 ready, 503 starting / not_ready / draining (open)', response: 'Ready', open: true },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics (text exposition format)', produces: 'text/plain' },
  { method: 'get', path: '/config', summary: 'The effective config (secrets redacted), runtime state and the last reload', response: 'Config' },
  { method: 'get', path: '/plugins', summary: 'Every loaded plugin kind', response: 'Plugins' },
  { method: 'post', path: '/reload', summary: 'Reload conf.yaml and plugins: 200 applied, 422 refused (the old config keeps serving)', response: 'Reload' },
  { method: 'get', path: '/admin/v1/routes', summary: 'The effective routes: listeners, routes with their filter chains, clusters and endpoints', response: 'Routes' },
  { method: 'get', path: '/admin/v1/clusters', summary: 'Every endpoint: health, cooldown, in-flight, recent latency and errors', response: 'Clusters' },
  { method: 'get', path: '/admin/v1/openapi.json', summary: 'This document' },
  { method: 'get', path: '/dashboard', summary: 'The web dashboard (a static page; its data requests carry the admin token)', produces: 'text/html', open: true },
];

/** Response schemas of the built-in plugins' routes, by `METHOD path`. */
const PLUGIN_RESPONSES: Record<string, string> = {
  'GET /admin/v1/keys': 'KeyList',
  'GET /admin/v1/keys/{id}': 'Key',
  'GET /admin/v1/budgets': 'Budgets',
  'DELETE /admin/v1/cache': 'CachePurge',
};

/** The document for the routes mounted now (`routes`: the plugin admin routes of the serving generation). */
export function openApiDocument(version: string, routes: readonly AdminRouteInfo[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const add = (path: string, method: string, op: Record<string, unknown>): void => {
    paths[path] = { ...(paths[path] ?? {}), [method]: op };
  };
  for (const o of HOST_OPS) {
    const ok = o.produces ? { description: 'OK', content: { [o.produces]: { schema: str } } } : json(o.response ? ref(o.response) : { type: 'object' }, 'OK');
    add(o.path, o.method, { summary: o.summary, tags: ['host'], ...(o.open ? { security: [] } : {}), responses: { '200': ok, ...(o.open ? {} : errors), ...(o.path === '/reload' ? { '422': json(ref('Reload'), 'the new config was refused') } : {}) } });
  }
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: str }));
    const response = PLUGIN_RESPONSES[`${r.method} ${path}`];
    add(path, r.method.toLowerCase(), {
      summary: r.description ?? `${r.method} ${r.path}`,
      tags: [r.kind],
      ...(params.length ? { parameters: params } : {}),
      ...(r.auth === 'open' ? { security: [] } : {}),
      ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } }),
      // A route without a described schema answers JSON whose shape its plugin documents (its README).
      responses: { '200': json(response ? ref(response) : {}, 'OK'), ...errors, '404': json(ref('Error'), 'no such object') },
    });
  }
  return {
    openapi: '3.1.0',
    info: { title: 'dgp-gateway admin API', version, description: 'The admin listener (default 127.0.0.1:8889). With admin.token set, send Authorization: Bearer <token> (not needed for /health, /ready and the dashboard page).' },
    servers: [{ url: '/' }],
    security: [{ adminToken: [] }],
    paths,
    components: { schemas: ADMIN_SCHEMAS, securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'admin.token from conf.yaml' } } },
  };
}
