// A RequestContext for unit tests, without the host: a real AbortController for the client's disconnect, an
// attribute map, and reply/replyError that capture what a filter answered (shaped like the host's OpenAI errors).
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import {
  Stop,
  type Attribute,
  type DgpError,
  type RequestContext,
  type RequestInfo,
  type ResponseState,
} from '../../core/index.js';
import { ClientRouteAttr, detectClientApi, type ClientApi } from '../../core/llm/index.js';

export interface FakeContextInit {
  method?: string;
  /** Path with an optional query, e.g. `/v1/chat/completions?x=1`. */
  url?: string;
  headers?: IncomingHttpHeaders;
  body?: Buffer | string | object;
  cluster?: string;
  /** Overrides the client API the path says (the LLM layer's ClientRouteAttr). */
  clientApi?: ClientApi;
  routeId?: string;
}

export interface FakeContext extends RequestContext {
  /** Simulates the client going away: fires `signal` and sets `aborted`. */
  abortClient(): void;
  /** Every DgpError passed to replyError, in order. */
  readonly errors: DgpError[];
}

export function fakeContext(init: FakeContextInit = {}): FakeContext {
  const url = init.url ?? '/v1/chat/completions';
  const q = url.indexOf('?');
  let body: Buffer =
    init.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(init.body) ? init.body : Buffer.from(typeof init.body === 'string' ? init.body : JSON.stringify(init.body));
  let jsonCache: { value: unknown } | undefined;
  const headers: IncomingHttpHeaders = { ...(init.body !== undefined && typeof init.body === 'object' && !Buffer.isBuffer(init.body) ? { 'content-type': 'application/json' } : {}), ...init.headers };
  const request: RequestInfo = {
    method: init.method ?? 'POST',
    url,
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : url.slice(q + 1),
    headers,
    remoteAddress: '127.0.0.1',
    body: async () => body,
    json: async <T>() => (jsonCache ??= { value: JSON.parse(body.toString('utf8')) }).value as T,
    setBody(b) {
      jsonCache = undefined;
      body = Buffer.isBuffer(b) ? b : Buffer.from(typeof b === 'string' ? b : JSON.stringify(b));
    },
  };
  const controller = new AbortController();
  const attrs = new Map<Attribute<unknown>, unknown>();
  const response: ResponseState = { status: 0, headers: {}, body: undefined };
  const errors: DgpError[] = [];
  const state = { replied: false, aborted: false };
  const ctx: FakeContext = {
    id: `req-${Math.random().toString(36).slice(2, 10)}`,
    request,
    route: { id: init.routeId ?? 'test-route', cluster: init.cluster ?? 'llm', params: {}, listener: 'test', clusterNotFoundResponseCode: undefined },
    response,
    signal: controller.signal,
    log: pino({ level: 'silent' }),
    startedAt: performance.now(),
    get replied() {
      return state.replied;
    },
    get aborted() {
      return state.aborted;
    },
    get: <T>(key: Attribute<T>) => attrs.get(key as Attribute<unknown>) as T | undefined,
    set: <T>(key: Attribute<T>, value: T) => void attrs.set(key as Attribute<unknown>, value),
    reply(status, b, h) {
      state.replied = true;
      response.status = status;
      response.headers = { ...h };
      if (b === undefined || Buffer.isBuffer(b)) response.body = b ?? Buffer.alloc(0);
      else if (typeof b === 'string') response.body = Buffer.from(b);
      else {
        response.body = Buffer.from(JSON.stringify(b));
        response.headers['content-type'] = 'application/json';
      }
      return Stop;
    },
    replyError(err) {
      errors.push(err);
      return ctx.reply(err.status, { error: { message: err.message, type: 'server_error', code: err.code } });
    },
    abortClient() {
      if (state.aborted) return;
      state.aborted = true;
      controller.abort(new Error('client disconnected'));
    },
    errors,
  };
  if (init.clientApi !== undefined) ctx.set(ClientRouteAttr, { api: init.clientApi, operation: detectClientApi(request.path).operation });
  return ctx;
}

export interface DrainedBody {
  chunks: Buffer[];
  text: string;
  /** What the body iterator threw, if it did (the host would cut the connection). */
  error?: unknown;
}

/** Iterates ctx.response.body like the host does, collecting chunks; never throws. */
export async function drainBody(ctx: RequestContext, opts: { stopAfter?: number } = {}): Promise<DrainedBody> {
  const body = ctx.response.body;
  if (body === undefined) return { chunks: [], text: '' };
  if (Buffer.isBuffer(body)) return { chunks: [body], text: body.toString('utf8') };
  const chunks: Buffer[] = [];
  const it = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      chunks.push(r.value);
      if (opts.stopAfter !== undefined && chunks.length >= opts.stopAfter) {
        await it.return?.();
        break;
      }
    }
  } catch (error) {
    return { chunks, text: Buffer.concat(chunks).toString('utf8'), error };
  }
  return { chunks, text: Buffer.concat(chunks).toString('utf8') };
}
