// The plugin contract: what a manifest is, what a filter instance may implement, how local replies are rendered.
// The request side (request-api.ts), the cluster side (cluster-api.ts) and what `create` is given (factory-api.ts)
// are part of it, re-exported here: core/index.ts and the host's own modules reach the whole contract through this file.
// Rules (the Envoy filter.h habit: MUST / MUST NOT live next to the interface):
// - `create` runs once per config generation with a validated, defaulted, frozen config. It MUST NOT keep
//   per-request state in its closure; per-request state lives on the RequestContext (attributes).
// - Hooks MAY be async. A hook that throws or rejects becomes a 500 local reply for that request only.
// - `onComplete` ALWAYS runs once per request whose chain was entered, after errors and client aborts too.
// - Only `core/index.ts` may be imported by plugins.
import type { DgpError } from './errors.js';
import type { RequestContext, RequestInfo } from './request-api.js';
import type { FactoryContext } from './factory-api.js';

export type * from './request-api.js';
export type * from './cluster-api.js';
export type * from './factory-api.js';

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
