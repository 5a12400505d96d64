// The running gateway: owns the process-wide parts (logger, metrics, worker pool, bound listener sockets, admin, the
// config watcher) and the current generation; a reload builds a new generation off to the side, binds what is new,
// and only then swaps it in. Any failure leaves the old generation serving and is logged, counted and shown in /config.
import type http from 'node:http';
import { availableParallelism } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { DgpError } from './errors.js';
import type { GatewayAdminSource, GatewayOptions, ReloadOptions } from './gateway-options.js';
import { loadConfigOffThread } from './config/load-off-thread.js';
import { loadConfig, formatProblem, type LoadedConfig, type Problem } from './config/load.js';
import type { BootstrapConfig } from './config/schema/index.js';
import { createLogger } from './observability/logger.js';
import { createMetrics, type HostMetrics } from './observability/metrics.js';
import { AdmissionControl } from './admission/admission.js';
import type { WorkerPool } from './workers/index.js';
import { workerPoolService } from './workers/pool-service.js';
import { ServiceRegistry, type ServiceScope } from './services/registry.js';
import { readinessReport, type ReadinessReport } from './services/readiness.js';
import { createAdminServer, createMetricsServer, listenOn } from './admin/server.js';
import { AdminGuard } from './admin/guard.js';
import { callGenerationRoute } from './admin/generation-route.js';
import { ConfigWatcher } from './reload/watch.js';
import { applyConfig } from './reload/apply.js';
import { ListenerSet } from './reload/listener-set.js';
import { routesView } from './config/routes-view.js';
import { logStarted } from './start-line.js';
import { failure, type ReloadResult } from './reload/result.js';
import { watchTargetsOf, type WatchTargets } from './reload/watch-targets.js';
import { reportReload } from './reload/report.js';
import { configView } from './admin/config-view.js';
import type { Generation } from './reload/generation.js';
import { shutdown } from './shutdown.js';
import { registerHealthMetrics } from './cluster/health-metrics.js';

export type { ReloadResult, ReloadTrigger } from './reload/result.js';
export type { WatchOptions } from './reload/watch.js';

export type { GatewayAdminSource, GatewayOptions, ReloadOptions } from './gateway-options.js';

export class Gateway {
  private current!: Generation;
  private loaded!: LoadedConfig;
  /** The config the process started with: its fixed settings (admin, metric, workers) stay in effect until restart. */
  private started!: BootstrapConfig;
  private readonly listeners: ListenerSet;
  private readonly retiring = new Set<Generation>();
  private watcher: ConfigWatcher | undefined;
  private admin: http.Server | undefined;
  private metricsServer: http.Server | undefined;
  private adminPort = 0;
  private draining = false;
  private reloadChain: Promise<unknown> = Promise.resolve();
  lastReload: ReloadResult | undefined;
  /** Heap shedding and the concurrency caps: one per process, reconfigured by every generation swap. */
  readonly admission: AdmissionControl;

  private constructor(
    private readonly opts: GatewayOptions,
    readonly log: Logger,
    readonly metrics: HostMetrics,
    private workers: WorkerPool | undefined,
    private readonly ownsLogger: boolean,
    /** Every host-owned service; `process` holds those of the gateway itself (the worker pool). */
    readonly services = new ServiceRegistry(log, metrics),
    private readonly process: ServiceScope = services.scope(),
  ) {
    this.listeners = new ListenerSet(log);
    this.admission = new AdmissionControl(metrics, opts.admission);
    this.onProbe = registerHealthMetrics(metrics.registry, () => (this.current as Generation | undefined)?.clusters);
  }

  /** Counts active health probes; the endpoint gauges read the serving generation at scrape time. */
  private readonly onProbe: (cluster: string, id: string, ok: boolean) => void;

  /** Loads, validates and starts; rejects with a DgpError listing every problem when the config is invalid. */
  static async start(opts: GatewayOptions): Promise<Gateway> {
    const loaded = await loadConfig({ configDir: opts.configDir, file: opts.file, env: opts.env, strict: opts.strict });
    const root = opts.log ?? createLogger({ level: loaded.config?.log.level ?? 'info', format: opts.logFormat ?? loaded.config?.log.format });
    const log = opts.worker ? root.child({ worker: opts.worker.slot }) : root;
    for (const w of loaded.warnings) log.warn({ code: w.code, pointer: w.pointer }, formatProblem(w));
    if (!loaded.config) throw configError(loaded.errors);
    const gw = new Gateway(opts, log, createMetrics(undefined, true, loaded.config.metric.max_series_per_metric), undefined, opts.log === undefined);
    const { config } = loaded;
    gw.started = config;
    const threads = config.workers.threads || Math.max(1, Math.floor((availableParallelism() - 1) / (opts.worker?.count ?? 1)));
    gw.workers = gw.process.get(workerPoolService, { threads, maxQueue: config.workers.max_queue });
    const result = await gw.apply(loaded);
    if (!result.ok) {
      await gw.services.closeAll();
      throw new DgpError(result.code ?? 'DGP_ERR_CONFIG_SCHEMA', result.error ?? 'invalid config', { details: { problems: result.problems } });
    }
    try {
      if (config.admin.enabled && !opts.worker) {
        gw.admin = createAdminServer(gw.adminSource(), gw.metrics.registry, log, new AdminGuard(config.admin));
        gw.adminPort = await listenOn(gw.admin, config.admin.address, config.admin.port, 'admin listener');
      }
      if (config.metric.enable && config.metric.prometheus_port && !opts.worker) {
        gw.metricsServer = createMetricsServer(gw.metrics.registry, log);
        await listenOn(gw.metricsServer, '0.0.0.0', config.metric.prometheus_port, 'metric.prometheus_port');
      }
      if (opts.watch) {
        gw.watcher = new ConfigWatcher({ ...(opts.watch === true ? {} : opts.watch), log, reload: (r) => gw.reload(r) });
        await gw.watcher.retarget(gw.targetsOf(loaded));
      }
    } catch (err) {
      await gw.close(); // the traffic listeners are already bound: release them before reporting
      throw err;
    }
    logStarted(log, config, { worker: opts.worker !== undefined, generation: gw.current.id, ports: gw.listenerPorts(), adminPort: gw.adminPort, watch: Boolean(gw.watcher) });
    return gw;
  }

  get generation(): Generation {
    return this.current;
  }

  /** Bound port of a listener by name (useful with port 0). */
  port(listenerName: string): number {
    const port = this.listeners.port(listenerName);
    if (port === undefined) throw new Error(`no listener named ${listenerName}`);
    return port;
  }

  get adminAddress(): { address: string; port: number } {
    return { address: this.started.admin.address, port: this.adminPort };
  }

  listenerPorts(): Record<string, number> {
    return this.listeners.ports();
  }

  /** What the watcher watches (undefined with watching off). */
  get watched(): WatchTargets | undefined {
    return this.watcher?.watched;
  }

  /** Resolves once the watcher has no reload scheduled or running. */
  async settled(): Promise<void> {
    await this.watcher?.settled();
    await this.reloadChain;
  }

  /** Re-reads conf.yaml and plugins; one reload at a time, the old generation keeps serving on any failure. */
  reload(opts: ReloadOptions = {}): Promise<ReloadResult> {
    const trigger = opts.trigger ?? 'api';
    const run = this.reloadChain.then(async (): Promise<ReloadResult> => {
      if (this.draining) return { ...failure(this.current.id, 'DGP_ERR_RELOAD_FAILED', 'the gateway is shutting down'), trigger };
      let result = await this.attempt();
      if (!result.ok && opts.retryAfterMs !== undefined) {
        if (!opts.superseded?.()) await delay(opts.retryAfterMs);
        if (opts.superseded?.() || this.draining) {
          this.log.debug({ error: result.error, trigger }, 'reload attempt failed, but a newer change is queued; not reporting it');
          return { ...result, trigger, superseded: true };
        }
        result = await this.attempt();
      }
      return this.report({ ...result, trigger }, opts.changed);
    });
    this.reloadChain = run.catch(() => undefined);
    return run;
  }

  private async attempt(): Promise<ReloadResult> {
    // Off the event loop: a large or hostile file must not stall the traffic the current generation serves.
    const loaded = await loadConfigOffThread({ configDir: this.opts.configDir, file: this.opts.file, env: this.opts.env ?? process.env, strict: this.opts.strict });
    // Watch what the attempted config names as well, so fixing a file it references triggers the next reload.
    await this.watcher?.retarget(this.targetsOf(loaded));
    if (!loaded.config) return failure(this.current.id, loaded.errors[0]?.code ?? 'DGP_ERR_CONFIG_SCHEMA', undefined, loaded.errors.map(formatProblem));
    for (const w of loaded.warnings) this.log.warn({ code: w.code, pointer: w.pointer }, formatProblem(w));
    try {
      return await this.apply(loaded);
    } catch (err) {
      this.log.error({ err }, 'reload failed unexpectedly');
      return failure(this.current.id, 'DGP_ERR_RELOAD_FAILED', `reload failed: ${(err as Error).message}`);
    }
  }

  private report(result: ReloadResult, changed: readonly string[] | undefined): ReloadResult {
    reportReload(result, changed, { metrics: this.metrics, log: this.log, audit: this.current?.audit, file: this.loaded?.file ?? '' });
    this.lastReload = result;
    return result;
  }

  private async apply(loaded: LoadedConfig): Promise<ReloadResult> {
    const previous = this.current as Generation | undefined;
    const outcome = await applyConfig(loaded, {
      previous,
      started: previous ? this.started : undefined,
      listeners: this.listeners,
      pluginDirs: this.opts.pluginDirs ?? [],
      services: { log: this.log, metrics: this.metrics, workers: this.workers!, services: this.services, configDir: loaded.configDir, draining: () => this.draining, admission: this.admission, onProbe: this.onProbe },
    });
    if (!outcome.ok) return outcome.result;
    // Swapped: new requests now reach `outcome.generation`; the previous one finishes what it started. Admission takes
    // the new limits in the same tick, before any request of the new generation can arrive.
    const config = loaded.config!;
    this.admission.configure(config.admission, config.static_resources.clusters);
    this.current = outcome.generation;
    this.loaded = loaded;
    if (this.ownsLogger) this.log.level = config.log.level;
    for (const g of this.retiring) if (g.closed) this.retiring.delete(g);
    if (previous) {
      this.retiring.add(previous);
      const grace = config.static_resources.shutdown_config.timeout;
      void previous.retire(grace, () => this.listeners.cut(previous.hcms.values()));
    }
    return outcome.result;
  }

  private targetsOf(loaded: LoadedConfig): WatchTargets {
    return watchTargetsOf(loaded, this.loaded, this.opts.pluginDirs ?? []);
  }

  /** What the admin listener shows; a multi-core worker answers the primary's admin requests from it. */
  adminSource(): GatewayAdminSource {
    return {
      ready: () => this.current !== undefined && !this.draining && this.readiness().reason === undefined,
      readiness: () => this.readiness(),
      routing: () => ({ generation: this.current.id, ...routesView(this.loaded.config!, this.listenerPorts()) }),
      config: () => configView({ current: this.current, loaded: this.loaded, listeners: this.listenerPorts(), retiring: this.retiring, watcher: this.watcher, lastReload: this.lastReload }),
      clusters: () => this.current.clusters.clustersView(),
      plugins: () => this.current.registry.list(),
      reload: () => this.reload({ trigger: 'admin' }),
      routes: () => this.current.adminRoutes.list(),
      callRoute: (call) => callGenerationRoute(this.current, call, this.log),
    };
  }

  private readiness(): ReadinessReport {
    const report = readinessReport([this.process, this.current?.services]);
    return this.draining ? { ...report, draining: true } : report;
  }

  /** Graceful shutdown: stop watching, stop accepting, let in-flight requests finish within shutdown_config.timeout. */
  async close(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    await shutdown({
      graceMs: this.loaded?.config?.static_resources.shutdown_config.timeout ?? 30_000,
      log: this.log,
      watcher: this.watcher,
      reloads: this.reloadChain,
      current: this.current as Generation | undefined,
      retiring: this.retiring,
      listeners: this.listeners,
      servers: [this.admin, this.metricsServer],
      process: this.process,
      services: this.services,
    });
  }
}

function configError(errors: Problem[]): DgpError {
  return new DgpError(errors[0]?.code ?? 'DGP_ERR_CONFIG_SCHEMA', `invalid config:\n${errors.map(formatProblem).join('\n')}`, {
    details: { problems: errors },
  });
}
