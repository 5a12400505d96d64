// The per-request side of the plugin contract: the request a filter reads and edits, the response it shapes, the
// matched route, typed attributes, and the RequestContext every hook receives (rules in plugin-api.ts).
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { DgpError } from './errors.js';
import type { Stop } from './plugin-api.js';

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
