// A request context for filter unit tests, built on the host's own Context (core/http/context.ts) over a synthetic
// IncomingMessage: the same body reading, attributes, onAbort/signal and error shapes as a real request, no socket.
import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import type { DgpError, ErrorFormat, HttpFilter, MatchedRoute } from '../../core/index.js';
import { ClientRouteAttr, detectClientApi, type ClientApi } from '../../core/llm/index.js';
import { Context } from '../../core/http/context.js';
import { LocalReplies } from '../../core/http/local-reply.js';

export interface TestContextInit {
  method?: string;
  /** Path with an optional query, e.g. `/v1/chat/completions?x=1`. */
  url?: string;
  headers?: IncomingHttpHeaders;
  /** Objects are sent as JSON (with content-type: application/json unless headers say otherwise). */
  body?: Buffer | string | object;
  cluster?: string;
  /** Overrides the client API the path says (the LLM layer's ClientRouteAttr). */
  clientApi?: ClientApi;
  routeId?: string;
  /** Filters whose renderLocalReply shapes local replies, as the listener's chain would (none: Pixiu's shape). */
  renderers?: HttpFilter[];
  errorFormat?: ErrorFormat;
  maxBodyBytes?: number;
  log?: Logger;
}

export interface TestContext extends Context {
  /** The client goes away: what the host does when the response socket closes early (aborted, onAbort, signal). */
  abortClient(): void;
  /** Every DgpError passed to replyError, in order. */
  readonly errors: DgpError[];
}

let seq = 0;

export function testContext(init: TestContextInit = {}): TestContext {
  const isJson = init.body !== undefined && typeof init.body === 'object' && !Buffer.isBuffer(init.body);
  const body = init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(isJson ? JSON.stringify(init.body) : (init.body as string));
  const req = syntheticRequest(init.method ?? 'POST', init.url ?? '/v1/chat/completions', { ...(isJson ? { 'content-type': 'application/json' } : {}), ...init.headers }, body);
  const route: MatchedRoute = Object.freeze({
    id: init.routeId ?? 'test-route',
    cluster: init.cluster ?? 'llm',
    params: {},
    listener: 'test',
    clusterNotFoundResponseCode: undefined,
  });
  const log = init.log ?? pino({ level: 'silent' });
  const replies = new LocalReplies((init.renderers ?? []).map((filter) => ({ kind: 'test', filter })), init.errorFormat ?? 'auto', log);
  const ctx = new Context(req, `req-${++seq}`, route, log, replies, init.maxBodyBytes ?? 10 * 1024 * 1024, performance.now()) as TestContext;
  if (init.clientApi !== undefined) ctx.set(ClientRouteAttr, { api: init.clientApi, operation: detectClientApi(ctx.request.path).operation });
  const errors: DgpError[] = [];
  const replyError = ctx.replyError.bind(ctx);
  Object.assign(ctx, {
    errors,
    abortClient: () => ctx.abort(),
    replyError: (err: DgpError) => (errors.push(err), replyError(err)),
  });
  return ctx;
}

/** An IncomingMessage as node:http would hand it over: headers parsed, body readable once, then ended. */
function syntheticRequest(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer | undefined): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: '127.0.0.1' });
  const req = new IncomingMessage(socket);
  req.method = method;
  req.url = url;
  const lower: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  if (body !== undefined && lower['content-length'] === undefined) lower['content-length'] = String(body.length);
  req.headers = lower;
  if (body !== undefined && body.length > 0) req.push(body);
  req.push(null);
  req.complete = true;
  return req;
}

export interface DrainedBody {
  chunks: Buffer[];
  text: string;
  /** What the body iterator threw, if it did (the host would cut the connection). */
  error?: unknown;
}

/** Iterates ctx.response.body like the host does, collecting chunks; never throws. */
export async function drainBody(ctx: Pick<Context, 'response'>, opts: { stopAfter?: number } = {}): Promise<DrainedBody> {
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
