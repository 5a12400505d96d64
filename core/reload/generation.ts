// A generation: everything built from one config — clusters, each listener's connection manager and filter
// instances, adapters. Built off to the side, swapped in by the gateway, retired with lease counting: filter
// instances are closed once the last request that started on this generation has finished.
import type { Logger } from 'pino';
import type { AdapterInstance, HttpFilter } from '../plugin-api.js';
import type { FactoryContext, WorkerPoolApi } from '../factory-api.js';
import type { RequestInfo } from '../request-api.js';
import type { AdmissionControl } from '../admission/admission.js';
import type { ServiceRegistry, ServiceScope } from '../services/registry.js';
import type { Store } from '../services/store.js';
import type { BootstrapConfig } from '../config/schema/index.js';
import { AdminRouteTable } from '../admin/route-table.js';
import { DgpError, isDgpError } from '../errors.js';
import { TIMED_OUT, within } from '../deadline.js';
import { FilterChain, type ChainSlot } from '../chain/chain.js';
import { ClusterManager, cooldownService } from '../cluster/index.js';
import { HttpConnectionManager } from '../http/hcm.js';
import { auditService, type Audit } from '../observability/audit/service.js';
import type { Tracing } from '../observability/tracing/tracing.js';
import { Router } from '../http/router.js';
import type { ListenerSpec } from '../http/listener.js';
import type { HostMetrics } from '../observability/metrics.js';
import type { PluginRegistry } from '../registry/index.js';
import type { ResolvedConfig, ResolvedPlugin } from './resolve.js';
import { findAdapter, findStore } from './store-lookup.js';

export interface HostServices {
  log: Logger;
  metrics: HostMetrics;
  workers: WorkerPoolApi;
  /** The host's service registry; each generation holds its services through its own scope. */
  services: ServiceRegistry;
  configDir: string;
  draining(): boolean;
  /** The process's admission control (outlives generations; configured at the swap). */
  admission?: AdmissionControl;
  /** Counts active health probes (the gateway's metric). */
  onProbe?: (cluster: string, id: string, ok: boolean) => void;
}

let nextGenerationId = 1;

export class Generation {
  readonly id = nextGenerationId++;
  readonly hcms = new Map<string, HttpConnectionManager>();
  readonly listenerSpecs: ListenerSpec[] = [];
  readonly filters: Array<{ kind: string; instance: HttpFilter }> = [];
  readonly adapters: Array<{ kind: string; id: string; instance: AdapterInstance }> = [];
  readonly abort = new AbortController();
  /** The plugins' admin routes: they serve exactly while this generation does. */
  readonly adminRoutes = new AdminRouteTable();
  /** The audit pipeline and tracer of this generation's config (host services, shared while the config is unchanged). */
  audit: Audit | undefined;
  tracing: Tracing | undefined;
  private leases = 0;
  private retired = false;
  private closing: Promise<void> | undefined;
  private forceTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly config: BootstrapConfig,
    readonly clusters: ClusterManager,
    readonly registry: PluginRegistry,
    private readonly log: Logger,
    /** The services this generation's factories use; released (maybe closing them) after its filters closed. */
    readonly services: ServiceScope,
  ) {}

  get inFlight(): number {
    return this.leases;
  }

  readonly acquire = (): void => {
    this.leases++;
  };

  readonly release = (): void => {
    this.leases--;
    if (this.leases === 0 && this.retired) void this.close();
  };

  async startAdapters(): Promise<void> {
    for (const a of this.adapters) await a.instance.start();
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Stops adapters now; closes filters when the last request ends, or after `timeoutMs` at the latest: then
   * `onForce` cuts the requests still running (the caller knows their sockets) and the filters are closed.
   */
  async retire(timeoutMs: number, onForce?: () => void): Promise<void> {
    if (this.retired) return;
    this.retired = true;
    // A retired generation's checks would keep probing (and marking endpoints of a manager nobody reads) until close.
    this.clusters.stopHealthChecks();
    await this.stopAdapters();
    if (this.leases === 0) return this.close();
    this.forceTimer = setTimeout(() => {
      this.log.warn(
        { generation: this.id, inFlight: this.leases, timeoutMs },
        `retired generation ${this.id} still has ${this.leases} request(s) in flight after shutdown_config.timeout; closing it forcibly`,
      );
      try {
        onForce?.();
      } finally {
        void this.close();
      }
    }, timeoutMs);
    this.forceTimer.unref();
  }

  private async stopAdapters(): Promise<void> {
    for (const a of this.adapters) await this.bounded(a.kind, 'stop', () => a.instance.stop());
  }

  /** A plugin's close()/stop(): a throw is logged, and so is one that outlasts plugins.close_timeout (then skipped). */
  private async bounded(kind: string, hook: string, fn: () => unknown): Promise<void> {
    const timeoutMs = this.config.plugins.close_timeout;
    try {
      if ((await within(fn(), timeoutMs)) === TIMED_OUT) {
        this.log.error({ code: 'DGP_ERR_PLUGIN_TIMEOUT', kind, timeoutMs }, `${kind} ${hook}() did not finish within plugins.close_timeout; moving on`);
      }
    } catch (err) {
      this.log.error({ err, kind }, `${hook === 'stop' ? 'adapter' : 'filter'} ${hook} failed`);
    }
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      if (this.forceTimer) clearTimeout(this.forceTimer);
      this.clusters.stopHealthChecks();
      this.abort.abort();
      for (const f of this.filters) if (f.instance.close) await this.bounded(f.kind, 'close', () => f.instance.close!());
      // Records and spans of this generation's last requests go out while the stores they use are still open.
      if (this.audit !== undefined) await this.bounded('dgp.audit', 'flush', () => this.audit!.log.flush());
      if (this.tracing !== undefined) await this.bounded('dgp.tracing', 'flush', () => this.tracing!.flush());
      await this.services.release();
    })());
  }
}

/** Creates every factory of a resolved config. Throws a DgpError (the generation is discarded) on the first failure. */
export async function buildGeneration(
  config: BootstrapConfig,
  resolved: ResolvedConfig,
  registry: PluginRegistry,
  services: HostServices,
  previous: Generation | undefined,
): Promise<Generation> {
  const log = services.log;
  const scope = services.services.scope();
  const cooldowns = scope.get(cooldownService);
  const clusters = ClusterManager.fromConfig(config.static_resources.clusters, {
    previous: previous?.clusters,
    log,
    cooldowns,
    ...(services.onProbe ? { onProbe: services.onProbe } : {}),
  });
  const gen = new Generation(config, clusters, registry, log, scope);
  const providers = new Map<string, unknown>();
  const factoryContext = (kind: string): FactoryContext => ({
    kind,
    log: log.child({ kind }),
    metrics: services.metrics,
    clusters,
    workers: services.workers,
    signal: gen.abort.signal,
    configDir: services.configDir,
    services: scope,
    store: (id: string): Store => findStore(gen.adapters, id),
    adapter: (id, shape) => findAdapter(gen.adapters, id, shape),
    plugin: (k) => registry.get(k)?.manifest,
    providers,
    admin: gen.adminRoutes.scope(kind),
  });
  const createTimeout = config.plugins.create_timeout;
  const create = async <I>(p: ResolvedPlugin): Promise<I> => {
    try {
      const pending = Promise.resolve().then(() => p.entry.manifest.create(p.config, factoryContext(p.entry.kind)));
      const made = await within(pending, createTimeout);
      if (made !== TIMED_OUT) return made as I;
      // Whatever a late create() returns belongs to a generation that never served: close it if it ever arrives.
      pending.then((late) => (late as HttpFilter | undefined)?.close?.(), () => undefined).catch(() => undefined);
      await gen.close();
      throw new DgpError('DGP_ERR_PLUGIN_TIMEOUT', `${p.entry.kind}: create() did not finish within plugins.create_timeout (${createTimeout} ms) at ${p.pointer}`, {
        hint: 'the plugin waits on something that does not answer; fix it or raise plugins.create_timeout',
        details: { pointer: p.pointer },
      });
    } catch (cause) {
      if (isDgpError(cause) && cause.code === 'DGP_ERR_PLUGIN_TIMEOUT') throw cause;
      await gen.close();
      throw new DgpError('DGP_ERR_PLUGIN_CREATE', `${p.entry.kind}: create() failed at ${p.pointer}: ${(cause as Error).message}`, {
        cause,
        details: { pointer: p.pointer },
      });
    }
  };
  for (const p of resolved.providers) providers.set(p.entry.kind, await create<unknown>(p));
  // Adapters before filters: filters look up stores (dgp.adapter.store.*) by adapter id in their create().
  for (const p of resolved.adapters) gen.adapters.push({ kind: p.entry.kind, id: p.id, instance: await create<AdapterInstance>(p) });
  try {
    if (config.audit.sinks.length > 0) {
      gen.audit = scope.get(auditService, config.audit);
      gen.audit.bindStores((id) => findStore(gen.adapters, id));
    }
    if (config.tracing.enabled) {
      // Loaded only when tracing is on: a process without tracing never loads its code.
      const { tracingService } = await import('../observability/tracing/tracing.js');
      gen.tracing = scope.get(tracingService, config.tracing);
    }
  } catch (err) {
    await gen.close();
    throw err;
  }
  const createFilter = async (p: ResolvedPlugin): Promise<HttpFilter> => {
    const instance = await create<HttpFilter>(p);
    gen.filters.push({ kind: p.entry.kind, instance });
    return instance;
  };
  const listeners = config.static_resources.listeners;
  for (let li = 0; li < listeners.length; li++) {
    const l = listeners[li]!;
    const r = resolved.listeners[li]!;
    const hcmConfig = l.filter_chains.filters[r.hcmIndex]!.config;
    const slots: ChainSlot[] = [];
    const slotOf = async (p: ResolvedPlugin): Promise<ChainSlot> => ({ kind: p.entry.kind, filter: await createFilter(p), terminal: p.entry.manifest.terminal === true });
    for (const p of r.filters) slots.push(await slotOf(p));
    // A route with filter overrides runs its own chain: the listener's instances, overridden filters created anew
    // from the merged config (one instance per overriding route per generation, closed with the generation).
    const routeChains: Array<FilterChain | undefined> = [];
    for (const route of r.routes) {
      const own: ChainSlot[] = [];
      for (const [i, p] of route.filters.entries()) own.push(route.overridden.has(i) ? await slotOf(p) : slots[i]!);
      routeChains[route.index] = new FilterChain(own);
    }
    const spec: ListenerSpec = {
      name: l.name,
      address: l.address.socket_address.address,
      port: l.address.socket_address.port,
      limits: l.config,
    };
    gen.listenerSpecs.push(spec);
    const router = new Router(hcmConfig.route_config.routes, l.name);
    const modelSource = slots.find((s) => typeof s.filter.routeModel === 'function')?.filter;
    if (router.usesModel && modelSource === undefined) {
      await gen.close();
      throw new DgpError('DGP_ERR_CONFIG_ROUTE_MODEL', `listener ${l.name}: a route matches on match.model, but none of its http_filters reads the request's model`, {
        hint: 'add dgp.filter.llm.proxy to the listener, or remove match.model',
      });
    }
    gen.hcms.set(
      l.name,
      new HttpConnectionManager({
        listener: l.name,
        router,
        ...(router.usesModel && modelSource !== undefined ? { routeModel: (request: RequestInfo) => modelSource.routeModel!(request) } : {}),
        chain: new FilterChain(slots),
        routeChains,
        errorFormat: hcmConfig.error_format,
        maxBodyBytes: l.config.max_body_bytes,
        timeout: hcmConfig.timeout,
        writeIdleMs: l.config.idle_timeout,
        generateRequestId: hcmConfig.generate_request_id,
        accessLog: config.log.access_log,
        log: log.child({ listener: l.name }),
        metrics: services.metrics,
        acquire: gen.acquire,
        release: gen.release,
        draining: services.draining,
        ...(services.admission ? { admission: services.admission } : {}),
        ...(gen.audit ? { audit: gen.audit } : {}),
        ...(gen.tracing ? { tracing: gen.tracing } : {}),
      }),
    );
  }
  try {
    gen.adminRoutes.seal();
  } catch (err) {
    await gen.close();
    throw err;
  }
  clusters.startHealthChecks();
  return gen;
}
