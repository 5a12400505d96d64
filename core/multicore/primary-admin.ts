// The ONE admin listener of a multi-core gateway, served by the primary: /health, /metrics (merged from every worker)
// and POST /reload (sent to every worker) go through the single-process admin handler; /ready, /config and /plugins
// need answers from the workers, which arrive asynchronously, so they are answered here.
import http from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAdminServer } from '../admin/server.js';
import { combineReloads, type ClusterReloadResult } from './combine-reloads.js';
import type { Supervisor } from './supervisor.js';
import type { ReloadTrigger } from '../reload/result.js';

/** 'starting' until every worker first reported ready; 'draining' once shutdown began. */
export type ClusterState = 'starting' | 'running' | 'draining';

const ASK_MS = 2_000;
const RELOAD_MS = 60_000;

/** Sends a reload to every worker and combines their results. */
export async function reloadAll(supervisor: Supervisor, trigger: ReloadTrigger): Promise<ClusterReloadResult> {
  return combineReloads(trigger, await supervisor.broadcast('reload', RELOAD_MS, trigger));
}

export function createPrimaryAdmin(supervisor: Supervisor, registry: Registry, log: Logger, state: () => ClusterState): http.Server {
  const single = createAdminServer(
    { ready: () => false, config: () => null, plugins: () => null, reload: () => reloadAll(supervisor, 'admin') },
    registry,
    log,
  );
  const fallback = single.listeners('request')[0] as http.RequestListener;
  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body, null, 2);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = req.method === 'GET' ? ANSWERS[path ?? ''] : undefined;
    if (!answer) return fallback(req, res);
    answer(supervisor, state()).then(
      ([status, body]) => json(res, status, body),
      (err: unknown) => {
        log.error({ err }, 'admin request failed');
        if (!res.headersSent) json(res, 500, { error: (err as Error).message });
      },
    );
  });
}

type Answerer = (s: Supervisor, state: ClusterState) => Promise<[number, unknown]>;

/** Every slot with what its worker says about itself right now (a silent or absent worker is not ready). */
async function workersNow(s: Supervisor): Promise<Array<Record<string, unknown> & { worker: number; ready: boolean }>> {
  const statuses = await s.broadcast('status', ASK_MS);
  return s.views().map(({ listeners: _l, ...view }, i) => {
    const st = statuses[i];
    const live = st?.ok ? st.value : undefined;
    return {
      ...view,
      ready: view.ready && live?.ready === true,
      generation: live?.generation ?? null,
      ...(live?.detail ? { detail: live.detail } : {}),
      ...(live?.reason ? { reason: live.reason } : {}),
      ...(st && !st.ok && view.pid !== null ? { error: st.error } : {}),
    };
  });
}

/** Asks the first ready worker that answers (in slot order); every worker runs the same config. */
async function fromOneWorker<K extends 'config' | 'plugins'>(s: Supervisor, op: K) {
  for (const view of s.views()) {
    if (!view.ready) continue;
    try {
      return { worker: view.worker, value: await s.request(view.worker, op, ASK_MS) };
    } catch {
      // next worker
    }
  }
  return undefined;
}

const ANSWERS: Record<string, Answerer> = {
  '/ready': async (s, state) => {
    const workers = await workersNow(s);
    const ready = state === 'running' && workers.every((w) => w.ready);
    const status = ready ? 'ready' : state === 'running' ? 'degraded' : state;
    return [ready ? 200 : 503, { status, workers }];
  },
  '/config': async (s) => {
    const [workers, config] = await Promise.all([workersNow(s), fromOneWorker(s, 'config')]);
    if (config === undefined) return [503, { error: 'no worker is ready to show its config; retry shortly', workers }];
    return [200, { ...config.value, shown_worker: config.worker, workers }];
  },
  '/plugins': async (s) => {
    const plugins = await fromOneWorker(s, 'plugins');
    return plugins === undefined ? [503, { error: 'no worker is ready to list its plugins; retry shortly' }] : [200, plugins.value];
  },
};
