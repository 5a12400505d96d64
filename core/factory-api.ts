// What the host gives a plugin's `create`: the FactoryContext (logger, metrics, workers, clusters, services, stores,
// adapters, providers, admin routes) and the metric and worker-pool APIs it carries.
import type { Logger } from 'pino';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { AdminRouteApi } from './admin/route-api.js';
import type { ServicesApi } from './services/define.js';
import type { Store } from './services/store.js';
import type { ClusterManagerApi } from './cluster-api.js';
import type { AdapterInstance, AdapterShape, PluginManifest } from './plugin-api.js';

export interface MetricsApi {
  /** Get-or-create on the process-wide registry (metrics survive reloads; re-registration returns the same). */
  counter<L extends string>(opts: { name: string; help: string; labelNames?: readonly L[] }): Counter<L>;
  /** `collect` runs before every read (prom-client's hook): a gauge set from a plain number at scrape time. */
  gauge<L extends string>(opts: { name: string; help: string; labelNames?: readonly L[]; collect?: (this: Gauge<L>) => void }): Gauge<L>;
  histogram<L extends string>(opts: {
    name: string;
    help: string;
    labelNames?: readonly L[];
    buckets?: number[];
  }): Histogram<L>;
}

export interface WorkerPoolApi {
  /** Runs a named pure task (tokenize, countChatTokens, hash, prefixHashes, regexSpans) off the event loop. */
  run<T = unknown>(task: string, input: unknown, opts?: { signal?: AbortSignal }): Promise<T>;
  readonly threads: number;
}

export interface FactoryContext {
  readonly kind: string;
  readonly log: Logger;
  readonly metrics: MetricsApi;
  readonly clusters: ClusterManagerApi;
  readonly workers: WorkerPoolApi;
  /** Fired when the generation that created this instance is unloaded. */
  readonly signal: AbortSignal;
  /** Absolute path of the config directory (to resolve relative file paths in plugin configs). */
  readonly configDir: string;
  /**
   * Host-owned long-lived values (pools, stores, process-wide tables): one per (service, deep-equal config), kept
   * across reloads while the config is unchanged, shown in GET /ready, closed by the host. See defineService.
   */
  readonly services: ServicesApi;
  /**
   * The store of the adapter with this `id` under static_resources.adapters (dgp.adapter.store.*). Call it in
   * `create`: an unknown id, or an adapter that is not a store, throws DGP_ERR_STORE_UNKNOWN and fails the load.
   */
  store(id: string): Store;
  /**
   * The instance of the adapter with this `id` under static_resources.adapters. With `shape`, only an adapter whose
   * instance passes `shape.is` (e.g. a key store). Call it in `create`: an unknown id, or an instance of another
   * shape, throws DGP_ERR_ADAPTER_UNKNOWN listing the known ids of that shape, and fails the load.
   */
  adapter<T = AdapterInstance>(id: string, shape?: AdapterShape<T>): T;
  /** Looks up a loaded plugin manifest by kind (e.g. provider adapters `dgp.adapter.provider.<name>`). */
  plugin(kind: string): PluginManifest | undefined;
  /**
   * The instances of every loaded `type: 'provider'` plugin, by kind: created by the host once per generation, before
   * any filter, with the plugin's validated and defaulted config (its schema defaults; per-endpoint settings come from
   * llm_meta). A filter MUST take providers from here and MUST NOT call a provider manifest's create() itself. What an
   * instance is belongs to the LLM layer's contract (`ProviderCodec` in dgp-gateway/llm).
   */
  readonly providers: ReadonlyMap<string, unknown>;
  /** Mounts JSON routes on the admin listener for this generation (rules in core/admin/route-api.ts). */
  readonly admin: AdminRouteApi;
}
