// The per-request context handed to every filter hook: request view with a lazily read, size-bounded body, typed
// attributes (a fresh Map per request, so nothing leaks between requests), the response state and local replies.
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Attribute, MatchedRoute, RequestContext, RequestInfo, ResponseState } from '../request-api.js';
import { Stop } from '../plugin-api.js';
import { DgpError } from '../errors.js';
import type { LocalReplies } from './local-reply.js';
import { attributeSlotCount } from '../attributes.js';

const EMPTY = Buffer.alloc(0);
/**
 * Slots kept in the array; keys defined later (plugins reloaded many times) use the Map, so the array stays small and
 * dense.
 */
const MAX_SLOTS = 256;

/** The request view; built before routing when the router needs the request's model (hcm.ts). */
export class Request implements RequestInfo {
  readonly method: string;
  path: string;
  query: string;
  url: string;
  readonly headers: IncomingMessage['headers'];
  private bodyPromise: Promise<Buffer> | undefined;
  private jsonPromise: Promise<unknown> | undefined;
  private jsonValue: { readonly value: unknown } | undefined;
  /** The body once read or replaced: the audit record hashes it after the request ended. */
  private bodyValue: Buffer | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly maxBodyBytes: number,
  ) {
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
    const q = this.url.indexOf('?');
    this.path = q < 0 ? this.url : this.url.slice(0, q);
    this.query = q < 0 ? '' : this.url.slice(q + 1);
    this.headers = req.headers;
  }

  get remoteAddress(): string | undefined {
    return this.req.socket.remoteAddress;
  }

  body(): Promise<Buffer> {
    if (this.bodyPromise === undefined) {
      // A setBody while the read ran replaced the body: the late read must not bring the old one back.
      const p: Promise<Buffer> = readBody(this.req, this.maxBodyBytes, (b) => {
        if (this.bodyPromise === p || this.bodyPromise === undefined) this.bodyValue = b;
      });
      this.bodyPromise = p;
    }
    return this.bodyPromise;
  }

  bodyIfRead(): Buffer | undefined {
    return this.bodyValue;
  }

  json<T = unknown>(): Promise<T> {
    // One promise per body, shared by every filter that asks: awaiting it again costs a tick, not a new parse chain.
    if (this.jsonPromise === undefined) {
      const p: Promise<unknown> = this.body().then((b) => {
        const value = parseJson(b);
        // A setBody while this parse ran replaced the value: the late parse must not bring the old one back.
        if (this.jsonPromise === p) this.jsonValue = { value };
        return value;
      });
      this.jsonPromise = p;
    }
    return this.jsonPromise as Promise<T>;
  }

  jsonIfParsed(): { readonly value: unknown } | undefined {
    return this.jsonValue;
  }

  setQuery(query: string): void {
    this.query = query;
    this.url = query === '' ? this.path : `${this.path}?${query}`;
  }

  setPath(path: string): void {
    this.path = path;
    this.url = this.query === '' ? path : `${path}?${this.query}`;
  }

  setBody(body: Buffer | string | object): void {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    this.bodyValue = buf;
    this.bodyPromise = Promise.resolve(buf);
    const parsed = !Buffer.isBuffer(body) && typeof body !== 'string';
    this.jsonPromise = parsed ? Promise.resolve(body) : undefined;
    this.jsonValue = parsed ? { value: body } : undefined;
  }
}

function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (cause) {
    throw new DgpError('DGP_ERR_HTTP_BAD_JSON', `request body is not valid JSON: ${(cause as Error).message}`, {
      hint: 'send a JSON body with Content-Type: application/json',
      cause,
    });
  }
}

/** The whole body; `got` sees it as the promise resolves (no reaction of its own). */
function readBody(req: IncomingMessage, max: number, got: (body: Buffer) => void): Promise<Buffer> {
  if (req.readableEnded && !req.readableLength) {
    got(EMPTY);
    return Promise.resolve(EMPTY);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        req.resume();
        reject(new DgpError('DGP_ERR_HTTP_BODY_TOO_LARGE', `request body exceeds ${max} bytes`, { hint: 'raise the listener config max_body_bytes or send less' }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      got(body);
      resolve(body);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new DgpError('DGP_ERR_HTTP_BODY_READ', `request body could not be read: ${err.message}`, { cause: err }));
    };
    const onClose = (): void => {
      if (!req.complete) onError(new Error('client closed the connection before the body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** A concurrency slot a request holds (core/admission); the connection manager gives it back when the request ends. */
export interface AdmissionSlot {
  leave(): void;
}

export class Context implements RequestContext {
  readonly request: Request;
  readonly response: ResponseState = { status: 0, headers: {}, body: undefined };
  readonly startedAt: number;
  replied = false;
  aborted = false;
  /** The code of the last local error reply (audit records and spans say why a request was refused). */
  errorCode: string | undefined = undefined;
  /** The gateway-wide and the cluster admission slots, once taken. */
  globalSlot: AdmissionSlot | undefined = undefined;
  clusterSlot: AdmissionSlot | undefined = undefined;
  /** Attribute values by slot (defineAttribute keys); keys without a slot go to a Map made on first use. */
  // Sized once for every slot defined so far: set() at a high slot of an empty array grew it, often twice, per request.
  private readonly slots: unknown[] = new Array(Math.min(attributeSlotCount(), MAX_SLOTS));
  private attrs: Map<Attribute<unknown>, unknown> | undefined;
  // Both created on first use: most requests never log from a filter, and a listener-less controller per
  // request was measurable at load. A signal asked for after the abort is created already aborted.
  private abortController: AbortController | undefined;
  private abortListeners: Array<() => void> | undefined;
  private abortReason: DgpError | undefined;
  private childLog: Logger | undefined;

  constructor(
    req: IncomingMessage,
    readonly id: string,
    readonly route: MatchedRoute,
    private readonly parentLog: Logger,
    private readonly replies: LocalReplies,
    maxBodyBytes: number,
    startedAt: number,
    /** The request view when one was made before routing (its body may be read already). */
    request?: Request,
  ) {
    this.request = request ?? new Request(req, maxBodyBytes);
    this.startedAt = startedAt;
  }

  get log(): Logger {
    return (this.childLog ??= this.parentLog.child({ reqId: this.id, route: this.route.id }));
  }

  get signal(): AbortSignal {
    if (this.abortController === undefined) {
      this.abortController = new AbortController();
      if (this.aborted) this.abortController.abort(this.abortReason ?? clientGone());
    }
    return this.abortController.signal;
  }

  onAbort(listener: () => void): void {
    if (this.aborted) listener();
    else (this.abortListeners ??= []).push(listener);
  }

  /** Called by the host when the client goes away before the response completed, or the request timed out. */
  abort(reason?: DgpError): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.abortController?.abort(reason ?? clientGone());
    const listeners = this.abortListeners;
    this.abortListeners = undefined;
    for (const listener of listeners ?? []) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err }, 'an onAbort listener threw');
      }
    }
  }

  get<T>(key: Attribute<T>): T | undefined {
    const slot = key.slot;
    if (slot !== undefined && slot < MAX_SLOTS) return this.slots[slot] as T | undefined;
    return this.attrs?.get(key as Attribute<unknown>) as T | undefined;
  }

  set<T>(key: Attribute<T>, value: T): void {
    const slot = key.slot;
    if (slot !== undefined && slot < MAX_SLOTS) this.slots[slot] = value;
    else (this.attrs ??= new Map()).set(key as Attribute<unknown>, value);
  }

  reply(status: number, body?: string | Buffer | object, headers?: Record<string, string>): typeof Stop {
    this.replied = true;
    const res = this.response;
    res.status = status;
    res.headers = {};
    if (headers) for (const [k, v] of Object.entries(headers)) res.headers[k.toLowerCase()] = v;
    if (body === undefined) res.body = EMPTY;
    else if (Buffer.isBuffer(body)) res.body = body;
    else if (typeof body === 'string') {
      res.body = Buffer.from(body);
      res.headers['content-type'] ??= looksJson(body) ? 'application/json' : 'text/plain; charset=utf-8';
    } else {
      res.body = Buffer.from(JSON.stringify(body));
      res.headers['content-type'] ??= 'application/json';
    }
    return Stop;
  }

  replyError(err: DgpError): typeof Stop {
    const r = this.replies.render(this, err);
    this.replied = true;
    this.errorCode = err.code;
    this.response.status = r.status;
    this.response.headers = r.headers;
    this.response.body = r.body;
    return Stop;
  }
}

function clientGone(): DgpError {
  return new DgpError('DGP_ERR_HTTP_BODY_READ', 'client disconnected', { status: 499 });
}

function looksJson(s: string): boolean {
  const c = s.trimStart()[0];
  if (c !== '{' && c !== '[') return false;
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
