// Builds a generation from a resolved config: its clusters, every provider, adapter and filter factory (each create()
// bounded by plugins.create_timeout), the audit and tracing services, and each listener's connection manager with its
// filter chains. Any failure closes what was built and throws a DgpError: the running generation keeps serving.
import type { AdapterInstance, HttpFilter } from '../plugin-api.js';
import type { FactoryContext } from '../factory-api.js';
import type { RequestInfo } from '../request-api.js';
import type { Store } from '../services/store.js';
import type { BootstrapConfig } from '../config/schema/index.js';
import { DgpError, isDgpError } from '../errors.js';
import { TIMED_OUT, within } from '../deadline.js';
import { FilterChain, type ChainSlot } from '../chain/chain.js';
import { ClusterManager, cooldownService } from '../cluster/index.js';
import { HttpConnectionManager } from '../http/hcm.js';
import { auditService } from '../observability/audit/service.js';
import { Router } from '../http/router.js';
import type { ListenerSpec } from '../http/listener.js';
import type { PluginRegistry } from '../registry/index.js';
import { Generation, type HostServices } from './generation.js';
import type { ResolvedConfig, ResolvedPlugin } from './resolve.js';
import { findAdapter, findStore } from './store-lookup.js';

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
