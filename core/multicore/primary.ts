// The primary process of `dgp start --workers N`: checks the config once, binds the one admin listener (and Pixiu's
// metric.prometheus_port), forks N gateway workers that share the traffic sockets (node:cluster round-robin), hosts
// the memory stores the workers share, forwards SIGHUP as a reload to every worker, and on SIGTERM/SIGINT drains every
// worker before exiting 0.
import cluster from 'node:cluster';
import type http from 'node:http';
import { formatProblem } from '../config/load.js';
import { createMetricsServer, listenOn } from '../admin/server.js';
import { createLogger } from '../observability/logger.js';
import { preflight, type ConfigSource } from './preflight.js';
import { Supervisor } from './supervisor.js';
import { ClusterRegistry, createPrimaryMetrics } from './metrics-aggregate.js';
import { createPrimaryAdmin, reloadAll, type ClusterState } from './primary-admin.js';
import { SharedStoreHost } from './shared-store-host.js';

export interface PrimaryOptions {
  source: ConfigSource;
  pluginDirs: string[];
  strict: boolean;
  /** Whether the workers watch the config (each worker runs its own watcher; the primary passes the flag on). */
  watch: boolean;
  /** Worker processes, at least 2. */
  workers: number;
  env?: NodeJS.ProcessEnv;
  /** `dgp start --pretty` (each worker reads the flag from its own argv). */
  logFormat?: 'json' | 'pretty';
}

/** Resolves with the process exit code: 0 after a graceful shutdown, 1 when the gateway could not start. */
export async function runPrimary(o: PrimaryOptions): Promise<number> {
  const pre = await preflight(o.source, o.pluginDirs, o.strict, o.env);
  const config = pre.loaded.config;
  if (!config || pre.errors.length > 0) {
    const code = pre.errors[0]?.code ?? 'DGP_ERR_CONFIG_SCHEMA';
    process.stderr.write(`dgp: cannot start: ${code} invalid config (no worker was started):\n${pre.errors.map(formatProblem).join('\n')}\n`);
    return 1;
  }
  const log = createLogger({ level: config.log.level, format: o.logFormat ?? config.log.format }).child({ role: 'primary' });
  const graceMs = config.static_resources.shutdown_config.timeout;
  cluster.schedulingPolicy = cluster.SCHED_RR; // spread connections evenly, also where the OS default would not
  cluster.setupPrimary({ serialization: 'advanced' });
  // Memory stores with `shared: true` live here, so every worker counts against the same limits.
  const storeHost = new SharedStoreHost();
  const supervisor = new Supervisor({ count: o.workers, log, graceMs, storeHost });
  const registry = new ClusterRegistry(createPrimaryMetrics(supervisor, o.workers), supervisor, log);
  const servers: http.Server[] = [];
  let state: ClusterState = 'starting';
  let exitWith!: (code: number) => void;
  const exited = new Promise<number>((r) => (exitWith = r));

  const shutdown = (reason: string, code: number): void => {
    if (state === 'draining') return;
    state = 'draining';
    log.info({ reason, graceMs }, 'shutting down: draining every worker');
    void supervisor
      .stop()
      .then(() => Promise.all(servers.map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r))))))
      .then(() => {
        storeHost.close();
        log.info('shutdown complete');
        exitWith(code);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGHUP', () => {
    if (state !== 'running') return void log.warn({ state }, 'SIGHUP ignored: the gateway is not running');
    void reloadAll(supervisor, 'signal').then((r) =>
      log[r.ok ? 'info' : 'error']({ ok: r.ok, workers: r.workers.map((w) => ({ worker: w.worker, ok: w.ok, generation: w.generation, error: w.error })) }, `reload sent to every worker: ${r.ok ? 'all reloaded' : r.error}`),
    );
  });
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception'));

  const fail = async (err: unknown): Promise<number> => {
    log.error({ code: (err as { code?: string }).code, error: (err as Error).message }, 'cannot start');
    shutdown('start failed', 1);
    await exited;
    process.stderr.write(`dgp: cannot start: ${(err as { code?: string }).code ? `${(err as { code: string }).code} ` : ''}${(err as Error).message}\n`);
    return 1;
  };
  let adminPort: number | undefined;
  try {
    // Bound before any worker is forked: a taken admin port fails the start at once.
    if (config.admin.enabled) {
      const admin = createPrimaryAdmin(supervisor, registry, log, () => state, config.admin);
      servers.push(admin);
      adminPort = await listenOn(admin, config.admin.address, config.admin.port, 'admin listener');
    }
    if (config.metric.enable && config.metric.prometheus_port) {
      const exporter = createMetricsServer(registry, log);
      servers.push(exporter);
      await listenOn(exporter, '0.0.0.0', config.metric.prometheus_port, 'metric.prometheus_port');
    }
  } catch (err) {
    return fail(err);
  }
  const started = await Promise.race([supervisor.start().then(() => true), exited.then(() => false)]).catch((err: unknown) => err as Error);
  if (started instanceof Error) return fail(started);
  if (!started) return exited; // a signal arrived while the workers were starting
  state = 'running';
  const views = supervisor.views();
  log.info(
    { mode: 'cluster', workers: o.workers, pids: views.map((v) => v.pid), listeners: views[0]?.listeners ?? {}, admin: adminPort, watch: o.watch },
    'dgp-gateway started',
  );
  return exited;
}
