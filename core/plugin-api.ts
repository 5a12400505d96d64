// The plugin contract: what a manifest is, what a filter instance may implement, and what the host gives it.
// Rules (the Envoy filter.h habit: MUST / MUST NOT live next to the interface):
// - `create` runs once per config generation with a validated, defaulted, frozen config. It MUST NOT keep
//   per-request state in its closure; per-request state lives on the RequestContext (attributes).
// - Hooks MAY be async. A hook that throws or rejects becomes a 500 local reply for that request only.
// - `onComplete` ALWAYS runs once per request whose chain was entered, after errors and client aborts too.
// - Only `core/index.ts` may be imported by plugins.
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { DgpError } from './errors.js';
import type { AdminRouteApi } from './admin/route-api.js';
import type { ServicesApi } from './services/define.js';
import type { Store } from './services/store.js';

/** The plugin API version this host implements; a manifest with another value is refused at load time. */
export const API_VERSION = 1;

export const Continue = 'continue' as const;
export const Stop = 'stop' as const;
export type FilterStatus = typeof Continue | typeof Stop;
/** A hook may return nothing, which means Continue. */
export type HookResult = FilterStatus | void | undefined;
export type MaybePromise<T> = T | Promise<T>;

/** Any plain JSON Schema object (TypeBox builds these); plain-JS plugins need no TypeBox dependency. */
export type JsonSchema = Record<string, unknown>;

export type PluginType = 'filter' | 'adapter' | 'provider';

/**
 * A plugin's manifest. `C` is the validated config `create` receives, `I` what it returns (an HttpFilter, an
 * AdapterInstance or a provider codec). Build filter manifests with `defineFilter` to get both types checked.
 */
export interface PluginManifest<C = unknown, I = unknown> {
  /** Dotted lowercase name, e.g. `dgp.filter.llm.proxy`. Third-party kinds need not start with `dgp.`. */
  readonly kind: string;
  /** Defaults to 'filter'. */
  readonly type?: PluginType;
  readonly apiVersion: number;
  readonly description: string;
  /** Defaults to the plugin package's version. */
  readonly version?: string;
  /** JSON Schema of `config`; defaults declared in it are applied before `create`. */
  readonly configSchema: JsonSchema;
  /**
   * Filters only: the filter answers the request itself (e.g. dgp.filter.llm.proxy), so no filter may follow it in a
   * chain; `dgp validate` and reload reject a chain that lists one after it (DGP_ERR_CONFIG_FILTER_ORDER).
   */
  readonly terminal?: boolean;
  /**
   * Optional checks the schema cannot express (a regular expression that must compile), run wherever the config is
   * validated — `dgp validate`, start, reload — before `create`. Pure: no I/O, no state. Returns the problems found,
   * each with a JSON pointer into the plugin's config; a throw counts as one problem with its message.
   */
  check?(config: Readonly<C>): ReadonlyArray<{ pointer: string; message: string; hint?: string }>;
  create(config: Readonly<C>, ctx: FactoryContext): MaybePromise<I>;
}

export interface HttpFilter {
  /** Runs in config order. Return Stop (usually via ctx.reply) to end decoding. */
  decode?(ctx: RequestContext): MaybePromise<HookResult>;
  /** Runs in reverse config order, only for filters whose decode ran (the onion). */
  encode?(ctx: RequestContext): MaybePromise<HookResult>;
  /**
   * Observes or transforms one chunk of a streamed response body, in encode order. Return a Buffer to replace the
   * chunk (an empty Buffer drops it), or nothing to pass it on unchanged. The next chunk is not read until this
   * resolves (backpressure).
   */
  onChunk?(ctx: RequestContext, chunk: Buffer): MaybePromise<Buffer | void | undefined>;
  /** The streamed body ended cleanly; may return trailing bytes to append (e.g. a held-back partial event). */
  onStreamEnd?(ctx: RequestContext): MaybePromise<Buffer | void | undefined>;
  /** Always runs once at the end of the request: success, local reply, error or client abort. */
  onComplete?(ctx: RequestContext): MaybePromise<void>;
  /** Runs once when the generation that created this instance is retired and no request holds it any more. */
  close?(): MaybePromise<void>;
  /**
   * The request's model, for routes with `match.model` (asked before routing, only on listeners with such routes and
   * only when a model route could take the request). The first filter of the listener's chain that has this hook
   * answers. MAY read the body (it is kept for the chain); MUST NOT throw for a body it cannot read: undefined.
   */
  routeModel?(request: RequestInfo): MaybePromise<string | undefined>;
  /**
   * Renders a local error reply (Envoy's onLocalReply) for every request on this filter's listener: replies from
   * filters (ctx.replyError, a hook that threw) and from the host (no route, 413, no response). The host asks the
   * chain's filters in config order and uses the first answer; with none, or with `error_format: pixiu`, it renders
   * Pixiu's `{status,message,error}`. MUST be synchronous and cheap, MUST NOT throw (a throw is logged and ignored)
   * and MUST NOT read the body: `req` may be a request that matched no route.
   */
  renderLocalReply?(req: LocalReplyRequest, err: DgpError, format: ErrorFormat): LocalReply | undefined;
  /**
   * Renders the bytes that end a stream the host has to cut after the head was sent (an onChunk or onStreamEnd hook
   * threw): e.g. an SSE `event: error` frame in the client's API. Asked in config order like renderLocalReply; the
   * first non-undefined answer is written, then the connection is closed without the terminating chunk. `format` is the
   * connection manager's error_format. Same rules: synchronous, cheap, MUST NOT throw. With none, or with
   * `error_format: pixiu`, the stream is only cut.
   */
  renderStreamError?(req: LocalReplyRequest, err: DgpError, format: ErrorFormat): Buffer | string | undefined;
}

/** The connection manager's `error_format`: `auto` lets the renderer pick the client's shape; `pixiu` is Pixiu's. */
export type ErrorFormat = 'auto' | 'openai' | 'anthropic' | 'gemini' | 'pixiu';

/** What a local-reply renderer sees: the request id and line (a RequestContext is one; so is a request without route). */
export interface LocalReplyRequest {
  readonly id: string;
  readonly request: Pick<RequestInfo, 'method' | 'path' | 'query' | 'headers'>;
}

/** A rendered local reply; `status` defaults to the error's own. Objects are JSON-serialised. */
export interface LocalReply {
  status?: number;
  headers?: Record<string, string>;
  body: string | Buffer | object;
}

/** What an adapter plugin's `create` returns (e.g. dgp.adapter.llmregistrycenter). */
export interface AdapterInstance {
  start(): MaybePromise<void>;
  stop(): MaybePromise<void>;
}

/** What FactoryContext.adapter checks an adapter instance against, and how its errors name it. */
export interface AdapterShape<T> {
  is(instance: unknown): instance is T;
  /** What the filter needs, for errors: e.g. `key store`. */
  what: string;
  /** A config line to suggest when no adapter of this shape is configured. */
  example?: string;
}

/** A typed per-request attribute key; values live on the RequestContext and never leak between requests. */
export interface Attribute<T> {
  readonly name: string;
  /** Set by defineAttribute: where the host keeps the value. Keys made any other way still work (by identity). */
  readonly slot?: number;
  /** Phantom field carrying the value type; never set. */
  readonly __type?: T;
}

export type ResponseHeaders = Record<string, string | string[] | number>;
export type ResponseBody = Buffer | AsyncIterable<Buffer> | undefined;

export interface RequestInfo {
  readonly method: string;
  /** Path of the request-target, without the query. */
  readonly path: string;
  /** Raw query string without the leading `?`; '' when none. */
  readonly query: string;
  /** Raw request-target as received (path and query). */
  readonly url: string;
  /** Lower-cased names, as node:http gives them. Filters may edit them before the proxy runs. */
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
  /** Reads the whole body once (bounded by the listener's max body size) and caches it. */
  body(): Promise<Buffer>;
  /** The body when it was read (or replaced) already; undefined otherwise. Never starts reading. Optional for test doubles. */
  bodyIfRead?(): Buffer | undefined;
  /** Cached JSON parse of body(); rejects with DGP_ERR_HTTP_BAD_JSON (400) on malformed JSON. */
  json<T = unknown>(): Promise<T>;
  /**
   * The JSON body when json() has parsed it already (or setBody gave an object): `{ value }`; undefined while it has
   * not (never starts reading or parsing). Lets a synchronous hook skip a promise turn. Optional for test doubles.
   */
  jsonIfParsed?(): { readonly value: unknown } | undefined;
  /** Replaces the body (objects are JSON-serialised); resets the JSON cache. */
  setBody(body: Buffer | string | object): void;
  /** Replaces the query string (without `?`; '' for none) and `url` with it, e.g. to drop a credential parameter. */
  setQuery(query: string): void;
  /**
   * Replaces the path (and `url` with it) after routing: the route stays the one matched; the upstream request is
   * built from the new path (e.g. a Gemini request served by another model, which its path names). Optional for test
   * doubles.
   */
  setPath?(path: string): void;
}

export interface ResponseState {
  status: number;
  /** Lower-case names. Multi-value headers are arrays. */
  headers: ResponseHeaders;
  /** A Buffer (unary) or an async iterable of chunks (streamed; never buffered whole by the host). */
  body: ResponseBody;
}

export interface MatchedRoute {
  /** The route's `id`, or `<listener>#<index>` when none. */
  readonly id: string;
  readonly cluster: string;
  /** Values of `:var` path segments. */
  readonly params: Readonly<Record<string, string>>;
  readonly listener: string;
  readonly clusterNotFoundResponseCode: number | undefined;
  /** The route's admission priority (route.priority), when set. */
  readonly priority?: number;
}

export interface RequestContext {
  readonly id: string;
  readonly request: RequestInfo;
  readonly route: MatchedRoute;
  readonly response: ResponseState;
  /** Fires when the client goes away before the response completed. */
  readonly signal: AbortSignal;
  /**
   * Calls `listener` once when the client goes away before the response completed, or at once if it already has.
   * Prefer it to `signal`: it creates no AbortController, whose construction and listener bookkeeping are measurable
   * at thousands of requests per second. Listeners cannot be removed; they live as long as the request.
   */
  onAbort(listener: () => void): void;
  /** Child logger bound to reqId, route and listener. */
  readonly log: Logger;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** True once a local reply was made (ctx.reply / ctx.replyError). */
  readonly replied: boolean;
  /** True when the client disconnected before the response completed. */
  readonly aborted: boolean;
  get<T>(key: Attribute<T>): T | undefined;
  set<T>(key: Attribute<T>, value: T): void;
  /** Sets a local reply (status, body, headers) and returns Stop. JSON bodies get `content-type: application/json`. */
  reply(status: number, body?: string | Buffer | object, headers?: Record<string, string>): typeof Stop;
  /** A local error reply rendered by the listener's renderer (see HttpFilter.renderLocalReply), carrying err.code. */
  replyError(err: DgpError): typeof Stop;
}

// ---------------------------------------------------------------------------------------------------------------
// What the host gives a factory.

export interface MetricsApi {
  /** Get-or-create on the process-wide registry (metrics survive reloads; re-registration returns the same). */
  counter<L extends string>(opts: { name: string; help: string; labelNames?: readonly L[] }): Counter<L>;
  gauge<L extends string>(opts: { name: string; help: string; labelNames?: readonly L[] }): Gauge<L>;
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

export interface RetryPolicyConfig {
  name: string;
  config: Record<string, unknown>;
}

export interface LlmMeta {
  provider: string;
  api_key: string;
  fallback: boolean;
  /** Cooldown TTL after a failure, ms. 0 disables the cooldown. */
  health_check_interval: number;
  retry_policy: RetryPolicyConfig;
  /** Per-endpoint override of the proxy filter's scheme. */
  scheme?: 'http' | 'https';
  [extra: string]: unknown;
}

export interface EndpointView {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly domains: readonly string[];
  /** `address:port` — the consistent-hash identity (Pixiu GetHost). */
  readonly host: string;
  /** `domains[0]` when set, else `address:port` — the URL authority (Pixiu GetAddress). */
  readonly authority: string;
  readonly meta: Readonly<Record<string, string>>;
  readonly llmMeta: Readonly<LlmMeta> | undefined;
  readonly healthy: boolean;
  /** 'static' for conf.yaml, or e.g. 'nacos:<registry>' / 'etcd:<registry>'. */
  readonly source: string;
}

/** What consistent-hash policies may key on. */
export interface HashSource {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body when available (for a body-field hash key). */
  readonly json?: unknown;
}

export interface EndpointInput {
  id?: string;
  name?: string;
  socket_address?: { address?: string; port?: number; domains?: string[] };
  meta?: Record<string, string>;
  llm_meta?: Partial<LlmMeta>;
  unhealthy?: boolean;
}

export interface CooldownStoreApi {
  inCooldown(cluster: string, ep: EndpointView, now?: number): boolean;
  markFailure(cluster: string, ep: EndpointView, now?: number): void;
  readonly size: number;
}

/** How one upstream attempt on an endpoint ended, for its load and latency figures. */
export interface EndpointOutcome {
  ok: boolean;
  /** Time to the first byte (a stream: its first event); only successful attempts feed the latency average. */
  latencyMs?: number;
}

export interface EndpointStatsView {
  in_flight: number;
  requests: number;
  errors: number;
  /** Moving average of the time to first byte / first token, ms; null before the first success. */
  latency_ms: number | null;
  /** Moving average of failures among recent attempts, 0..1. */
  error_rate: number;
  last_error_at: string | null;
}

/** Per-endpoint load and latency, process-wide (survives reloads). Every begin() must be matched by one end(). */
export interface EndpointStatsApi {
  begin(cluster: string, id: string): void;
  end(cluster: string, id: string, outcome: EndpointOutcome): void;
  view(cluster: string, id: string): EndpointStatsView;
}

/**
 * The price of a request at an endpoint (the CostAware LB policy), in any unit that orders: the LLM layer's price book
 * gives nano-USD of a reference request of the model the endpoint would serve. undefined = not priced.
 */
export type EndpointPricer = (ep: EndpointView, src: HashSource) => number | undefined;

export interface ClusterManagerApi {
  hasCluster(name: string): boolean;
  clusterNames(): string[];
  /** The cluster's LB policy over healthy endpoints; undefined when the cluster is missing or none is healthy. */
  pickEndpoint(cluster: string, src: HashSource): EndpointView | undefined;
  /**
   * False when the cluster's LB policy never reads `HashSource.json` (anything but consistent hashing on a body field),
   * so a caller may skip waiting for the JSON body. Optional; absent means "it may".
   */
  needsBody?(cluster: string): boolean;
  /** The endpoint with this id when it exists and is healthy. */
  getHealthyEndpoint(cluster: string, id: string): EndpointView | undefined;
  getEndpoint(cluster: string, id: string): EndpointView | undefined;
  /** Pixiu's fallback order: the first healthy endpoint after `id` in list order, no wrap-around. */
  nextHealthyEndpoint(cluster: string, id: string): EndpointView | undefined;
  endpoints(cluster: string): readonly EndpointView[];
  /** The endpoints highest `llm_meta.priority` first, list order within a priority; optional (absent: list order). */
  endpointsByPriority?(cluster: string): readonly EndpointView[];
  /** Dynamic add/update (registry adapters). Creates the cluster (RoundRobin) on first use. */
  setEndpoint(cluster: string, ep: EndpointInput, source?: string): EndpointView;
  deleteEndpoint(cluster: string, id: string): boolean;
  setHealthy(cluster: string, id: string, healthy: boolean): void;
  /** The LLM cooldown store (the host's cooldown service: survives reloads). */
  readonly cooldowns: CooldownStoreApi;
  /** In-flight requests and latency per endpoint (survives reloads); optional for managers that keep none. */
  readonly stats?: EndpointStatsApi;
  /** The cluster's LB policy name (Pixiu's or ours); optional. */
  lbPolicyOf?(cluster: string): string | undefined;
  /** Installs the pricer the CostAware policy ranks by (a filter that knows prices does, at create); optional. */
  setEndpointPricer?(pricer: EndpointPricer): void;
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
