// The running gateway: owns the process-wide parts (logger, metrics, worker pool, bound listener sockets, admin) and
// the current generation; builds a new generation off to the side on reload and swaps it in atomically.
import type http from 'node:http';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { DgpError } from './errors.js';
import { loadConfig, formatProblem, type LoadedConfig, type Problem } from './config/load.js';
import { createLogger, redactDeep } from './observability/logger.js';
import { createMetrics, type HostMetrics } from './observability/metrics.js';
import { createWorkerPool, type WorkerPool } from './workers/index.js';
import { loadPlugins, type PluginRegistry } from './registry/index.js';
import { ListenerHost, listenerKey } from './http/listener.js';
import { createAdminServer, createMetricsServer, listenOn } from './admin/server.js';
import { resolvePlugins } from './reload/resolve.js';
import { buildGeneration, type Generation, type HostServices } from './reload/generation.js';
import { summarizeDiff } from './reload/diff.js';

export interface GatewayOptions {
  configDir?: string;
  file?: string;
  pluginDirs?: string[];
  strict?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
}

export interface ReloadResult {
  ok: boolean;
  at: string;
  generation: number;
  error?: string;
  problems?: string[];
  diff?: string;
}

export class Gateway {
  private current!: Generation;
  private loaded!: LoadedConfig;
  private readonly listeners = new Map<string, ListenerHost>();
  private admin: http.Server | undefined;
  private metricsServer: http.Server | undefined;
  private adminPort = 0;
  private draining = false;
  private reloadChain: Promise<unknown> = Promise.resolve();
  lastReload: ReloadResult | undefined;

  private constructor(
    private readonly opts: GatewayOptions,
    readonly log: Logger,
    readonly metrics: HostMetrics,
    private workers: WorkerPool | undefined,
    private readonly shared = new Map<string, unknown>(),
  ) {}

  /** Loads, validates and starts; rejects with a DgpError listing every problem when the config is invalid. */
  static async start(opts: GatewayOptions): Promise<Gateway> {
    const loaded = await loadConfig({ configDir: opts.configDir, file: opts.file, env: opts.env, strict: opts.strict });
    const log = opts.log ?? createLogger({ level: loaded.config?.log.level ?? 'info' });
    for (const w of loaded.warnings) log.warn({ code: w.code, pointer: w.pointer }, formatProblem(w));
    if (!loaded.config) throw configError(loaded.errors);
    const gw = new Gateway(opts, log, createMetrics(), undefined);
    const { config } = loaded;
    const threads = config.workers.threads || Math.max(1, availableParallelism() - 1);
    gw.workers = createWorkerPool({ threads, maxQueue: config.workers.max_queue, log });
    const result = await gw.apply(loaded, false);
    if (!result.ok) {
      await gw.workers.close();
      throw new DgpError('DGP_ERR_CONFIG_SCHEMA', result.error ?? 'invalid config', { details: { problems: result.problems } });
    }
    if (config.admin.enabled) {
      gw.admin = createAdminServer(gw.adminSource(), gw.metrics.registry, log);
      gw.adminPort = await listenOn(gw.admin, config.admin.address, config.admin.port, 'admin listener');
    }
    if (config.metric.enable && config.metric.prometheus_port) {
      gw.metricsServer = createMetricsServer(gw.metrics.registry, log);
      await listenOn(gw.metricsServer, '0.0.0.0', config.metric.prometheus_port, 'metric.prometheus_port');
    }
    log.info({ generation: gw.current.id, listeners: gw.listenerPorts(), admin: gw.adminPort || undefined }, 'dgp-gateway started');
    return gw;
  }

  get generation(): Generation {
    return this.current;
  }

  /** Bound port of a listener by name (useful with port 0). */
  port(listenerName: string): number {
    for (const host of this.listeners.values()) if (host.spec.name === listenerName) return host.port;
    throw new Error(`no listener named ${listenerName}`);
  }

  get adminAddress(): { address: string; port: number } {
    return { address: this.loaded.config!.admin.address, port: this.adminPort };
  }

  listenerPorts(): Record<string, number> {
    return Object.fromEntries([...this.listeners.values()].map((h) => [h.spec.name, h.port]));
  }

  /** Re-reads conf.yaml and plugins; one reload at a time, the old generation keeps serving on any failure. */
  reload(): Promise<ReloadResult> {
    const run = this.reloadChain.then(async () => {
      const loaded = await loadConfig({ configDir: this.opts.configDir, file: this.opts.file, env: this.opts.env ?? process.env, strict: this.opts.strict });
      const result = loaded.config ? await this.apply(loaded, true) : this.failed(loaded.errors);
      this.metrics.reloads.inc({ result: result.ok ? 'success' : 'failure' });
      if (result.ok) this.log.info({ generation: result.generation, diff: result.diff }, `config reloaded: ${result.diff}`);
      else this.log.error({ error: result.error, problems: result.problems }, 'config reload failed; the previous config keeps serving');
      this.lastReload = result;
      return result;
    });
    this.reloadChain = run.catch(() => undefined);
    return run;
  }

  private failed(problems: Problem[], error?: string): ReloadResult {
    const lines = problems.map(formatProblem);
    return { ok: false, at: new Date().toISOString(), generation: this.current?.id ?? 0, error: error ?? lines[0] ?? 'invalid config', problems: lines };
  }

  private async apply(loaded: LoadedConfig, cacheBust: boolean): Promise<ReloadResult> {
    const config = loaded.config!;
    const pluginDirs = [...config.plugins.dirs, ...(this.opts.pluginDirs ?? [])];
    const registry: PluginRegistry = await loadPlugins({ pluginDirs, log: this.log, cacheBust });
    const resolved = resolvePlugins(config, loaded, registry);
    for (const p of registry.problems) this.log.warn({ code: p.code, folder: p.folder }, p.message);
    if (resolved.problems.length) return this.failed(resolved.problems);
    const services: HostServices = {
      log: this.log,
      metrics: this.metrics,
      workers: this.workers!,
      shared: this.shared,
      configDir: loaded.configDir,
      draining: () => this.draining,
    };
    const previous = this.current as Generation | undefined;
    let gen: Generation;
    try {
      gen = await buildGeneration(config, resolved, registry, services, previous);
    } catch (err) {
      return this.failed([], (err as Error).message);
    }
    const fresh: ListenerHost[] = [];
    const keep = new Set<string>();
    try {
      for (const spec of gen.listenerSpecs) {
        const key = listenerKey(spec.address, spec.port);
        keep.add(key);
        if (this.listeners.has(key)) continue;
        const host = new ListenerHost(spec, this.log);
        await host.listen();
        fresh.push(host);
      }
    } catch (err) {
      await Promise.all(fresh.map((h) => h.close(0)));
      await gen.close();
      return this.failed([], (err as Error).message);
    }
    // The swap: from here on new requests see the new generation.
    for (const h of fresh) this.listeners.set(listenerKey(h.spec.address, h.spec.port), h);
    for (const spec of gen.listenerSpecs) this.listeners.get(listenerKey(spec.address, spec.port))!.hcm = gen.hcms.get(spec.name);
    this.current = gen;
    this.loaded = loaded;
    const grace = config.static_resources.shutdown_config.timeout;
    for (const [key, host] of this.listeners) {
      if (keep.has(key)) continue;
      this.listeners.delete(key);
      void host.close(grace);
    }
    await gen.startAdapters();
    if (previous) await previous.retire(grace);
    return { ok: true, at: new Date().toISOString(), generation: gen.id, diff: summarizeDiff(previous?.config, config) };
  }

  private adminSource() {
    return {
      ready: () => this.current !== undefined && !this.draining,
      config: () => ({
        generation: this.current.id,
        file: this.loaded.file,
        config: redactDeep(this.loaded.config),
        runtime: { clusters: this.current.clusters.snapshot(), listeners: this.listenerPorts() },
        last_reload: this.lastReload ? { ok: this.lastReload.ok, at: this.lastReload.at, error: this.lastReload.error } : null,
      }),
      plugins: () => this.current.registry.list(),
      reload: () => this.reload(),
    };
  }

  /** Graceful shutdown: stop accepting, let in-flight requests finish within shutdown_config.timeout, close all. */
  async close(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const grace = this.loaded?.config?.static_resources.shutdown_config.timeout ?? 30_000;
    this.log.info({ inFlight: this.current?.inFlight, graceMs: grace }, 'shutting down: draining in-flight requests');
    await Promise.all([...this.listeners.values()].map((h) => h.close(grace)));
    this.listeners.clear();
    await this.current?.retire(0);
    await this.current?.close();
    await Promise.all([this.admin, this.metricsServer].map((s) => s && new Promise((r) => { s.closeAllConnections(); s.close(r); })));
    await this.workers?.close();
    this.log.info('shutdown complete');
  }
}

function configError(errors: Problem[]): DgpError {
  return new DgpError(errors[0]?.code ?? 'DGP_ERR_CONFIG_SCHEMA', `invalid config:\n${errors.map(formatProblem).join('\n')}`, {
    details: { problems: errors },
  });
}
