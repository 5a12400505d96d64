// A FactoryContext for a plugin's unit tests (`dgp-gateway/testing`): silent pino logger, metrics on a fresh
// prom-client Registry, an in-memory cluster manager, a worker pool that runs given task functions inline, an
// AbortSignal the test controls, and the in-process memory store plugins fall back to.
import { pino } from 'pino';
import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type {
  AdapterShape,
  ClusterManagerApi,
  EndpointInput,
  EndpointView,
  FactoryContext,
  MetricsApi,
  PluginManifest,
  Store,
  WorkerPoolApi,
} from '../index.js';
import { API_VERSION, DgpError, MEMORY_STORE_DEFAULTS, memoryStoreService } from '../index.js';
import { AdminRouteTable } from '../admin/route-table.js';
import { ServiceRegistry, type ServiceScope } from '../services/registry.js';

export interface StubFactoryContext extends FactoryContext {
  /** A host-style service scope (readiness() and release() as a generation would use them). */
  readonly services: ServiceScope;
  /** Aborting it fires `signal`, as unloading the generation would. */
  readonly controller: AbortController;
  /** The registry behind `metrics` (read values with `await registry.getSingleMetricAsString(name)`). */
  readonly registry: Registry;
  /** The admin routes the plugin mounted through `admin.route` (call them with callAdminRoute). */
  readonly adminRoutes: AdminRouteTable;
}

export interface StubFactoryOverrides extends Partial<Omit<FactoryContext, 'services'>> {
  services?: ServiceScope;
  /** Manifests `plugin(kind)` finds; the `type: 'provider'` ones are also created (with `{}`) into `providers`. */
  plugins?: readonly PluginManifest[];
  /** Worker task implementations run inline by `workers.run(task, input)`. */
  workerTasks?: Record<string, (input: unknown) => unknown>;
  /** Stores `store(id)` finds; any other id throws DGP_ERR_STORE_UNKNOWN as the host would. */
  stores?: Record<string, Store>;
  /** Adapter instances `adapter(id)` finds (checked against the shape as the host does). */
  adapters?: Record<string, unknown>;
}

export function stubFactoryContext(overrides: StubFactoryOverrides = {}): StubFactoryContext {
  const { plugins = [], workerTasks = {}, stores = {}, adapters = {}, ...rest } = overrides;
  const controller = new AbortController();
  const registry = new Registry();
  const log = pino({ level: 'silent' });
  const providers = new Map<string, unknown>();
  const adminRoutes = new AdminRouteTable();
  const ctx: StubFactoryContext = {
    kind: 'test.stub',
    log,
    metrics: stubMetrics(registry),
    clusters: stubClusterManager(),
    workers: stubWorkers(workerTasks),
    signal: controller.signal,
    configDir: process.cwd(),
    // Its own host-style registry: pass `services` to share one between several contexts (two generations).
    services: new ServiceRegistry(log, stubMetrics(registry)).scope(),
    store(id: string): Store {
      const s = stores[id];
      if (s === undefined) throw new DgpError('DGP_ERR_STORE_UNKNOWN', `no adapter with id "${id}" under static_resources.adapters`);
      return s;
    },
    adapter<T>(id: string, shape?: AdapterShape<T>): T {
      const a = adapters[id];
      if (a === undefined || (shape !== undefined && !shape.is(a))) {
        throw new DgpError('DGP_ERR_ADAPTER_UNKNOWN', `no ${shape?.what ?? 'adapter'} with id "${id}" under static_resources.adapters`);
      }
      return a as T;
    },
    // The host loads every built-in; the memory store is the one plugins fall back to (the keys filter's counters).
    plugin: (kind) => plugins.find((m) => m.kind === kind) ?? (kind === memoryStore.kind ? (memoryStore as PluginManifest) : undefined),
    providers,
    admin: adminRoutes.scope(rest.kind ?? 'test.stub'),
    ...rest,
    controller,
    registry,
    adminRoutes,
  };
  // As the host does once per generation, before any filter; provider codecs default every setting themselves.
  for (const m of plugins) if (m.type === 'provider' && overrides.providers === undefined) providers.set(m.kind, m.create({}, { ...ctx, kind: m.kind }));
  return ctx;
}

/** Get-or-create, like the host's: registering a name twice returns the first metric. */
export function stubMetrics(registry: Registry): MetricsApi {
  const getOrCreate = <M extends Metric>(name: string, make: () => M): M =>
    (registry.getSingleMetric(name) as M | undefined) ?? make();
  return {
    counter: (o) => getOrCreate(o.name, () => new Counter({ ...o, labelNames: o.labelNames ?? [], registers: [registry] })),
    gauge: (o) => getOrCreate(o.name, () => new Gauge({ ...o, labelNames: o.labelNames ?? [], registers: [registry] })),
    histogram: (o) => getOrCreate(o.name, () => new Histogram({ ...o, labelNames: o.labelNames ?? [], registers: [registry] })),
  };
}

export function stubWorkers(tasks: Record<string, (input: unknown) => unknown>): WorkerPoolApi {
  return {
    threads: 1,
    async run<T>(task: string, input: unknown): Promise<T> {
      const fn = tasks[task];
      if (fn === undefined) throw new DgpError('DGP_ERR_WORKER_TASK', `The stub worker pool has no task "${task}"; pass it in workerTasks.`);
      return (await fn(structuredClone(input))) as T;
    },
  };
}

/** Clusters in list order; picking returns the first healthy endpoint (no LB policy: tests stay deterministic). */
export function stubClusterManager(): ClusterManagerApi {
  const clusters = new Map<string, EndpointView[]>();
  const cooled = new Set<string>();
  const list = (c: string): EndpointView[] => clusters.get(c) ?? [];
  const healthy = (c: string): EndpointView[] => list(c).filter((e) => e.healthy);
  const replace = (c: string, ep: EndpointView): EndpointView => {
    const eps = list(c).filter((e) => e.id !== ep.id);
    const at = list(c).findIndex((e) => e.id === ep.id);
    eps.splice(at < 0 ? eps.length : at, 0, ep);
    clusters.set(c, eps);
    return ep;
  };
  return {
    hasCluster: (c) => clusters.has(c),
    clusterNames: () => [...clusters.keys()],
    pickEndpoint: (c) => healthy(c)[0],
    getHealthyEndpoint: (c, id) => healthy(c).find((e) => e.id === id),
    getEndpoint: (c, id) => list(c).find((e) => e.id === id),
    nextHealthyEndpoint: (c, id) => {
      const eps = list(c);
      return eps.slice(eps.findIndex((e) => e.id === id) + 1).find((e) => e.healthy);
    },
    endpoints: (c) => list(c),
    setEndpoint: (c, input, source = 'static') => replace(c, toView(input, list(c).length, source)),
    deleteEndpoint: (c, id) => {
      const before = list(c).length;
      clusters.set(c, list(c).filter((e) => e.id !== id));
      return list(c).length < before;
    },
    setHealthy: (c, id, isHealthy) => {
      const ep = list(c).find((e) => e.id === id);
      if (ep !== undefined) replace(c, { ...ep, healthy: isHealthy });
    },
    cooldowns: {
      inCooldown: (c, ep) => cooled.has(`${c}/${ep.id}`),
      markFailure: (c, ep) => void cooled.add(`${c}/${ep.id}`),
      get size() {
        return cooled.size;
      },
    },
  };
}

function toView(input: EndpointInput, index: number, source: string): EndpointView {
  const address = input.socket_address?.address ?? '127.0.0.1';
  const port = input.socket_address?.port ?? 80;
  const domains = input.socket_address?.domains ?? [];
  const id = input.id ?? String(index);
  return {
    id,
    name: input.name ?? id,
    address,
    port,
    domains,
    host: `${address}:${port}`,
    authority: domains[0] ?? `${address}:${port}`,
    meta: input.meta ?? {},
    llmMeta:
      input.llm_meta === undefined
        ? undefined
        : { provider: '', api_key: '', fallback: false, health_check_interval: 0, retry_policy: { name: 'NoRetry', config: {} }, ...input.llm_meta },
    healthy: input.unhealthy !== true,
    source,
  };
}

/**
 * dgp.adapter.store.memory as the host provides it (the host loads every built-in): a store from the host's memory
 * store service, so a plugin that falls back to an in-process store finds one here without the adapters folder.
 */
const memoryStore: PluginManifest = Object.freeze({
  kind: 'dgp.adapter.store.memory',
  type: 'adapter' as const,
  apiVersion: API_VERSION,
  description: 'In-process store (the testing kit\'s stand-in for the built-in adapter).',
  configSchema: { type: 'object', additionalProperties: true },
  create: (config: Readonly<Record<string, unknown>>, ctx: FactoryContext) => ({
    store: ctx.services.get(memoryStoreService, { ...MEMORY_STORE_DEFAULTS, ...config }),
    start() {},
    stop() {},
  }),
});
