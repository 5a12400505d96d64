// The adapter instance of one config generation: one watcher per configured registry, each writing its endpoints
// into the cluster manager with source `<protocol>:<name>` and reporting on the shared status board and metrics.
import type { AdapterInstance, FactoryContext } from '../../../core/index.js';
import { EndpointSync } from './endpoint-sync.js';
import { EtcdWatcher } from './etcd.js';
import { NacosWatcher } from './nacos.js';
import type { LlmRegistryConfig } from './schema.js';
import { RegistryReporter } from './status.js';
import { resolveRegistry, type RegistryWatcher } from './watcher.js';

interface Running {
  reporter: RegistryReporter;
  watcher: RegistryWatcher;
}

export class LlmRegistryAdapter implements AdapterInstance {
  readonly #registries: Running[] = [];
  #started = false;
  #stopping: Promise<void> | undefined;

  constructor(config: Readonly<LlmRegistryConfig>, ctx: FactoryContext) {
    for (const [name, raw] of Object.entries(config.registries)) {
      const cfg = resolveRegistry(name, raw);
      const log = ctx.log.child({ registry: name, protocol: cfg.protocol });
      const reporter = new RegistryReporter(ctx, name, cfg.protocol, cfg.address);
      const sync = new EndpointSync(ctx.clusters, cfg.source, log, (kind) => reporter.changed(kind));
      const watcher = cfg.protocol === 'nacos' ? new NacosWatcher(cfg, sync, reporter, log) : new EtcdWatcher(cfg, sync, reporter, log);
      this.#registries.push({ reporter, watcher });
    }
    // Unloading the generation stops everything even if the host never called stop().
    ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /** Starts every registry; resolves once each made its first attempt (bounded by its timeout). Never rejects. */
  async start(): Promise<void> {
    if (this.#started || this.#stopping) return;
    this.#started = true;
    for (const r of this.#registries) r.reporter.publish();
    await Promise.all(this.#registries.map((r) => r.watcher.start()));
  }

  /** Stops polling and watching. Registered endpoints stay: the next generation carries them over and re-syncs. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await Promise.all(this.#registries.map((r) => r.watcher.stop()));
      for (const r of this.#registries) r.reporter.withdraw();
    })();
    return this.#stopping;
  }
}
