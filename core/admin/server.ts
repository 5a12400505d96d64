// The admin listener (default 127.0.0.1:8889, separate from traffic): GET / (this list), /health /ready /metrics
// /config /plugins, POST /reload, /dashboard (dashboard.ts), and the plugins' admin routes, every one behind the guard (guard.ts). Also Pixiu's
// `metric.prometheus_port` exporter, which serves the metrics on every path.
import http from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DgpError } from '../errors.js';
import { DASHBOARD_PATHS, serveDashboard } from './dashboard.js';
import { OPEN_ADMIN_PATHS, type AdminGuard } from './guard.js';
import { errorBody, type AdminCall, type AdminReply } from './route-call.js';
import type { AdminRouteInfo } from './route-api.js';
import { ADMIN_MAX_BODY_BYTES, HOST_ADMIN_PATHS } from './route-table.js';
import { hostVersion, openApiDocument } from './openapi.js';

export interface AdminSource {
  ready(): boolean;
  config(): unknown;
  /** GET /admin/v1/clusters: endpoints with active and passive health, load and latency. */
  clusters?(): unknown;
  plugins(): unknown;
  reload(): Promise<unknown>;
  /** Readiness detail; `reason` says why the gateway is not ready (a service is down). */
  readiness?(): { reason?: string; detail?: Record<string, unknown>; draining?: boolean };
  /** The plugin admin routes now mounted. */
  routes(): AdminRouteInfo[] | Promise<AdminRouteInfo[]>;
  /** The effective traffic routing: listeners, routes with their filter chains, clusters and endpoints. */
  routing(): unknown;
  /** Runs a plugin admin route (or answers 404/405 when none matches). */
  callRoute(call: AdminCall): Promise<AdminReply>;
}

/** Answers that replace a host endpoint's, by `METHOD /path` (the multi-core primary asks its workers for some). */
export type AdminOverrides = Partial<Record<string, () => Promise<[number, unknown]>>>;

const HOST_ENDPOINTS = [
  { method: 'GET', path: '/', description: 'this list of admin endpoints' },
  { method: 'GET', path: '/health', description: 'liveness; open (no token, any Host)' },
  { method: 'GET', path: '/ready', description: 'readiness; open (no token, any Host)' },
  { method: 'GET', path: '/metrics', description: 'Prometheus metrics' },
  { method: 'GET', path: '/config', description: 'the effective config (secrets redacted) and runtime state' },
  { method: 'GET', path: '/plugins', description: 'the loaded plugins' },
  { method: 'GET', path: '/admin/v1/clusters', description: 'every endpoint: health (active checks, cooldown), in-flight requests, recent latency and errors' },
  { method: 'POST', path: '/reload', description: 'reload conf.yaml and plugins' },
  { method: 'GET', path: '/admin/v1/routes', description: 'the effective routes: listeners, routes with their filter chains, clusters and endpoints' },
  { method: 'GET', path: '/admin/v1/openapi.json', description: 'the OpenAPI 3.1 description of this admin API' },
  { method: 'GET', path: '/dashboard', description: 'the web dashboard (a static page; its data requests carry the admin token)' },
] as const;

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const sendError = (res: http.ServerResponse, err: DgpError, headers?: Record<string, string>): void => sendJson(res, err.status ?? 500, errorBody(err), headers);

async function sendMetrics(res: http.ServerResponse, registry: Registry): Promise<void> {
  const text = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType });
  res.end(text);
}

/** The body as UTF-8, or undefined after answering 413 when it exceeds `limit` bytes. */
function readBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number): Promise<string | undefined> {
  const tooLarge = (): undefined => {
    // The rest of the body is not read: answer, then close the connection once the answer is out.
    res.on('finish', () => req.destroy());
    sendError(res, new DgpError('DGP_ERR_HTTP_BODY_TOO_LARGE', `admin request bodies are limited to ${limit} bytes`), { connection: 'close' });
    return undefined;
  };
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      req.off('data', onData);
      req.pause();
      resolve(tooLarge());
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createAdminServer(src: AdminSource, registry: Registry, log: Logger, guard: AdminGuard, overrides: AdminOverrides = {}): http.Server {
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const verdict = guard.check(req, path);
    if (!verdict.ok) return sendError(res, verdict.error, verdict.headers);
    const method = req.method ?? 'GET';
    if (DASHBOARD_PATHS.includes(path) && (await serveDashboard(method, path, res, guard.tokenRequired))) return;
    const own = HOST_ENDPOINTS.find((e) => e.method === method && e.path === path);
    if (own) {
      if (verdict.tokenRequired && !verdict.authenticated && !OPEN_ADMIN_PATHS.includes(path)) {
        return sendError(res, new DgpError('DGP_ERR_ADMIN_UNAUTHORIZED', `${path} needs the admin token: send Authorization: Bearer <admin.token>`), { 'www-authenticate': 'Bearer' });
      }
      const override = overrides[`${method} ${path}`];
      if (override) {
        const [status, body] = await override();
        return sendJson(res, status, body);
      }
      return answerHost(own.path, res);
    }
    if (HOST_ADMIN_PATHS.includes(path)) {
      const allow = HOST_ENDPOINTS.filter((e) => e.path === path).map((e) => e.method).join(', ');
      return sendError(res, new DgpError('DGP_ERR_ADMIN_NOT_FOUND', `${method} not allowed on ${path} (allowed: ${allow})`, { status: 405 }), { allow });
    }
    const body = await readBody(req, res, ADMIN_MAX_BODY_BYTES);
    if (body === undefined) return;
    const { authenticated, tokenRequired } = verdict;
    const reply = await src.callRoute({ method, path, query: q === -1 ? '' : url.slice(q + 1), headers: req.headers, body, authenticated, tokenRequired, remoteAddress: req.socket.remoteAddress ?? null });
    sendJson(res, reply.status, reply.body, reply.headers);
  };
  const answerHost = async (path: (typeof HOST_ENDPOINTS)[number]['path'], res: http.ServerResponse): Promise<void> => {
    switch (path) {
      case '/':
        return sendJson(res, 200, { endpoints: HOST_ENDPOINTS, routes: await src.routes() });
      case '/health':
        return sendJson(res, 200, { status: 'ok' });
      case '/ready': {
        const report = src.readiness?.() ?? {};
        if (src.ready()) return sendJson(res, 200, { status: 'ready', ...report });
        return sendJson(res, 503, { status: report.draining ? 'draining' : report.reason === undefined ? 'starting' : 'not_ready', ...report });
      }
      case '/metrics':
        return sendMetrics(res, registry);
      case '/config':
        return sendJson(res, 200, src.config());
      case '/plugins':
        return sendJson(res, 200, src.plugins());
      case '/admin/v1/routes':
        return sendJson(res, 200, src.routing());
      case '/admin/v1/openapi.json':
        return sendJson(res, 200, openApiDocument(hostVersion(), await src.routes()));
      case '/admin/v1/clusters':
        return sendJson(res, 200, { clusters: src.clusters?.() ?? [] });
      case '/reload': {
        const r = await src.reload();
        return sendJson(res, (r as { ok?: boolean }).ok === false ? 422 : 200, r);
      }
    }
  };
  return http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'admin request failed');
      if (!res.headersSent) sendError(res, new DgpError('DGP_ERR_INTERNAL', (err as Error).message));
    });
  });
}

export function createMetricsServer(registry: Registry, log: Logger): http.Server {
  return http.createServer((_req, res) => {
    sendMetrics(res, registry).catch((err) => {
      log.error({ err }, 'metrics request failed');
      res.statusCode = 500;
      res.end();
    });
  });
}

export function listenOn(server: http.Server, address: string, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new DgpError('DGP_ERR_LISTEN', `${what} cannot bind ${address}:${port}: ${err.code ?? err.message}`, { cause: err })),
    );
    server.listen(port, address, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}
