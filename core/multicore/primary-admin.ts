// The ONE admin listener of a multi-core gateway, served by the primary with the single-process admin handler and its
// guard: /metrics is merged from every worker, POST /reload sent to every worker, /ready /config /plugins answered
// here from the workers' replies, and plugin admin routes forwarded to one worker.
import http from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAdminServer, type AdminOverrides, type AdminSource } from '../admin/server.js';
import { AdminGuard, type AdminGuardConfig } from '../admin/guard.js';
import { errorBody, type AdminCall, type AdminReply } from '../admin/route-call.js';
import { DgpError } from '../errors.js';
import { combineReloads, type ClusterReloadResult } from './combine-reloads.js';
import type { Supervisor } from './supervisor.js';
import type { ReloadTrigger } from '../reload/result.js';

/** 'starting' until every worker first reported ready; 'draining' once shutdown began. */
export type ClusterState = 'starting' | 'running' | 'draining';

const ASK_MS = 2_000;
const RELOAD_MS = 60_000;
const ROUTE_MS = 30_000;

/** Sends a reload to every worker and combines their results. */
export async function reloadAll(supervisor: Supervisor, trigger: ReloadTrigger): Promise<ClusterReloadResult> {
  return combineReloads(trigger, await supervisor.broadcast('reload', RELOAD_MS, trigger));
}

export function createPrimaryAdmin(supervisor: Supervisor, registry: Registry, log: Logger, state: () => ClusterState, admin: AdminGuardConfig): http.Server {
  const overrides: AdminOverrides = {};
  for (const [path, answer] of Object.entries(ANSWERS)) overrides[`GET ${path}`] = () => answer(supervisor, state());
  const source: AdminSource = {
    ready: () => false,
    config: () => null,
    plugins: () => null,
    reload: () => reloadAll(supervisor, 'admin'),
    routes: async () => (await fromOneWorker(supervisor, 'routes'))?.value ?? [],
    routing: () => null,
    callRoute: (call) => callOnOneWorker(supervisor, call),
  };
  return createAdminServer(source, registry, log, new AdminGuard(admin), overrides);
}

/**
 * A plugin admin route runs in exactly one worker, the first ready one in slot order: a call may change state, so it
 * is never sent twice (nor retried on another worker); what it changes lives in a store every worker reads.
 */
async function callOnOneWorker(s: Supervisor, call: AdminCall): Promise<AdminReply> {
  const view = s.views().find((v) => v.ready);
  const unavailable = (why: string): AdminReply => ({ status: 503, body: errorBody(new DgpError('DGP_ERR_ADMIN_UNAVAILABLE', why)) });
  if (!view) return unavailable('no worker is ready to answer this admin route; retry shortly');
  try {
    return await s.request(view.worker, 'admin', ROUTE_MS, { call });
  } catch (err) {
    return unavailable(`worker ${view.worker} did not answer this admin route: ${(err as Error).message}`);
  }
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
async function fromOneWorker<K extends 'config' | 'plugins' | 'routes' | 'routing'>(s: Supervisor, op: K) {
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
  // Health, load and latency are per process: every worker's view, side by side.
  '/admin/v1/clusters': async (s) => {
    const answers = await s.broadcast('clusters', ASK_MS);
    const workers = answers.map((a) => (a.ok ? { worker: a.worker, clusters: a.value } : { worker: a.worker, error: a.error }));
    const first = answers.find((a) => a.ok);
    return [first === undefined ? 503 : 200, { clusters: first?.value ?? [], shown_worker: first?.worker ?? null, workers }];
  },
  '/plugins': async (s) => {
    const plugins = await fromOneWorker(s, 'plugins');
    return plugins === undefined ? [503, { error: 'no worker is ready to list its plugins; retry shortly' }] : [200, plugins.value];
  },
  '/admin/v1/routes': async (s) => {
    const routing = await fromOneWorker(s, 'routing');
    return routing === undefined ? [503, { error: 'no worker is ready to show its routes; retry shortly' }] : [200, { ...(routing.value as object), shown_worker: routing.worker }];
  },
};
