// The admin listener (default 127.0.0.1:8889, separate from traffic): GET /health /ready /metrics /config /plugins,
// POST /reload. Also Pixiu's `metric.prometheus_port` exporter, which serves the metrics on every path.
import http from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DgpError } from '../errors.js';

export interface AdminSource {
  ready(): boolean;
  config(): unknown;
  plugins(): unknown;
  reload(): Promise<unknown>;
  /** Readiness detail; `reason` says why the gateway is not ready (a service is down). */
  readiness?(): { reason?: string; detail?: Record<string, unknown> };
}

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

async function sendMetrics(res: http.ServerResponse, registry: Registry): Promise<void> {
  const text = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType });
  res.end(text);
}

export function createAdminServer(src: AdminSource, registry: Registry, log: Logger): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method} ${path}`;
    const fail = (err: unknown): void => {
      log.error({ err }, 'admin request failed');
      if (!res.headersSent) json(res, 500, { error: (err as Error).message });
    };
    switch (route) {
      case 'GET /health':
        return json(res, 200, { status: 'ok' });
      case 'GET /ready': {
        const report = src.readiness?.() ?? {};
        if (src.ready()) return json(res, 200, { status: 'ready', ...report });
        return json(res, 503, { status: report.reason === undefined ? 'starting' : 'not_ready', ...report });
      }
      case 'GET /metrics':
        return void sendMetrics(res, registry).catch(fail);
      case 'GET /config':
        return json(res, 200, src.config());
      case 'GET /plugins':
        return json(res, 200, src.plugins());
      case 'POST /reload':
        return void src.reload().then((r) => json(res, (r as { ok?: boolean }).ok === false ? 422 : 200, r), fail);
      default: {
        const known = ['/health', '/ready', '/metrics', '/config', '/plugins', '/reload'].includes(path ?? '');
        return json(res, known ? 405 : 404, { error: known ? `${req.method} not allowed on ${path}` : `no admin endpoint ${path}` });
      }
    }
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
