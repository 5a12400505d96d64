// Graceful shutdown of a gateway: stop watching, let the running reload finish, stop accepting and drain in-flight
// requests, close every generation's plugins, the admin and metrics servers, and the host's services. Every step
// shares one bound, shutdown_config.timeout: a reload stuck in a plugin's create() or a close() that never settles
// cannot hold SIGTERM past it (a stuck step is logged and left behind).
import type http from 'node:http';
import type { Logger } from 'pino';
import { TIMED_OUT, within } from './deadline.js';
import type { Generation } from './reload/generation.js';
import type { ListenerSet } from './reload/listener-set.js';
import type { ConfigWatcher } from './reload/watch.js';
import type { ServiceRegistry, ServiceScope } from './services/registry.js';

export interface ShutdownParts {
  graceMs: number;
  log: Logger;
  watcher: ConfigWatcher | undefined;
  /** The reload in progress, if any (settles either way). */
  reloads: Promise<unknown>;
  current: Generation | undefined;
  retiring: Set<Generation>;
  listeners: ListenerSet;
  servers: ReadonlyArray<http.Server | undefined>;
  /** The gateway's own services (the worker pool). */
  process: ServiceScope;
  services: ServiceRegistry;
}

export async function shutdown(p: ShutdownParts): Promise<void> {
  const grace = p.graceMs;
  const deadline = Date.now() + grace;
  const step = async (what: string, work: Promise<unknown>): Promise<void> => {
    if ((await within(work, Math.max(1, deadline - Date.now()))) === TIMED_OUT) p.log.error({ graceMs: grace }, `shutdown: ${what} did not finish within shutdown_config.timeout; going on without it`);
  };
  await step('the config watcher', Promise.resolve(p.watcher?.close()));
  await step('the running reload', p.reloads);
  p.log.info({ inFlight: p.current?.inFlight, graceMs: grace }, 'shutting down: draining in-flight requests');
  await p.listeners.closeAll(Math.max(0, deadline - Date.now()));
  await step('closing plugins', (async () => {
    await Promise.all([...p.retiring].map((g) => g.close()));
    p.retiring.clear();
    await p.current?.retire(0);
    await p.current?.close();
  })());
  await Promise.all(p.servers.map((s) => s && new Promise((r) => { s.closeAllConnections(); s.close(r); })));
  await p.process.release();
  await p.services.closeAll();
  p.log.info('shutdown complete');
}
