// The shared shell of the strict mock providers: an HTTP server on 127.0.0.1 port 0 that records every request,
// lets the provider module validate it (a rejection answers that provider's error shape) and render the reply.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

/** What the scripted model "says"; each mock renders it in its own unary and SSE formats. */
export interface MockReply {
  text?: string;
  toolCalls?: Array<{ id?: string; name: string; args: Record<string, unknown> }>;
  /** Default: `tool_calls` when toolCalls are given, else `stop`. */
  finish?: 'stop' | 'length' | 'tool_calls';
  usage?: { input: number; output: number; cached?: number };
  /** Answer this error instead of a completion. */
  error?: { status: number; headers?: Record<string, string>; body: unknown };
  /** Streams: send only this many events, then keep the connection open without ending (a stalled upstream). */
  stallAfter?: number;
  /** OpenAI: report no usage at all, ignoring include_usage (as some OpenAI-compatible servers do). */
  omitUsage?: boolean;
  /**
   * How a unary answer goes on the wire: `chunked` without a Content-Length, in several writes (as OpenAI answers);
   * `encoding` compresses it when the request's Accept-Encoding allows that coding (as a real server does).
   */
  wire?: { chunked?: boolean; encoding?: 'gzip' | 'br' | 'deflate' };
  /** Streams: a pause before each event after the first (a model generating). */
  gapMs?: number;
  /** Streams: called as each event is written (index, count), e.g. to time the last one. */
  onEvent?: (index: number, count: number) => void;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: unknown;
}

export interface Rejection {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface MockProvider {
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: ReceivedRequest[];
  /** Every request the mock rejected as the real API would, with the error it answered. */
  readonly rejections: Array<{ request: ReceivedRequest; rejection: Rejection }>;
  close(): Promise<void>;
}

export type ReplyScript = MockReply | ((req: ReceivedRequest) => MockReply);

export interface ProviderBehaviour {
  /** Returns the rejection the real API would answer, or undefined when the request is valid. */
  validate(req: ReceivedRequest): Rejection | undefined;
  /** Writes the reply (unary or streamed). */
  respond(req: ReceivedRequest, reply: MockReply, res: ServerResponse): void;
}

/** `gate`: awaited before a valid request is answered (tests hold answers back, e.g. until every request arrived). */
export async function startMockProvider(behaviour: ProviderBehaviour, script: ReplyScript, opts: { gate?: (req: ReceivedRequest) => Promise<void> } = {}): Promise<MockProvider> {
  const requests: ReceivedRequest[] = [];
  const rejections: MockProvider['rejections'] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      const url = new URL(req.url ?? '/', 'http://mock');
      let body: unknown;
      try {
        body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        body = Symbol.for('invalid-json');
      }
      const received: ReceivedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, raw, body };
      requests.push(received);
      const rejection = behaviour.validate(received);
      if (rejection) {
        rejections.push({ request: received, rejection });
        sendJson(res, rejection.status, rejection.body, rejection.headers);
        return;
      }
      const answer = (): void => {
        const reply = typeof script === 'function' ? script(received) : script;
        if (reply.error) sendJson(res, reply.error.status, reply.error.body, reply.error.headers);
        else behaviour.respond(received, reply, res);
      };
      if (opts.gate === undefined) answer();
      else void opts.gate(received).then(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    rejections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A unary 200 answer written as `reply.wire` says: chunked and/or content-encoded, else with a Content-Length. */
export function sendUnary(req: ReceivedRequest, res: ServerResponse, reply: MockReply, body: unknown, headers: Record<string, string> = {}): void {
  const wire = reply.wire;
  if (wire === undefined) return sendJson(res, 200, body, headers);
  let bytes = Buffer.from(JSON.stringify(body));
  const accepted = String(req.headers['accept-encoding'] ?? '').split(',').map((c) => c.split(';')[0]!.trim().toLowerCase());
  const coding = wire.encoding !== undefined && accepted.includes(wire.encoding) ? wire.encoding : undefined;
  if (coding === 'gzip') bytes = gzipSync(bytes);
  else if (coding === 'br') bytes = brotliCompressSync(bytes);
  else if (coding === 'deflate') bytes = deflateSync(bytes);
  const head: Record<string, string | number> = { 'content-type': 'application/json', ...headers };
  if (coding !== undefined) head['content-encoding'] = coding;
  if (wire.chunked !== true) head['content-length'] = bytes.length;
  res.writeHead(200, head);
  if (wire.chunked !== true) return void res.end(bytes);
  // Three writes a tick apart: the body really arrives in pieces.
  const third = Math.ceil(bytes.length / 3);
  res.write(bytes.subarray(0, third));
  setImmediate(() => {
    res.write(bytes.subarray(third, 2 * third));
    setImmediate(() => res.end(bytes.subarray(2 * third)));
  });
}

/**
 * Writes the events of an SSE body in separate chunks, the way a provider flushes them; `stallAfter` stops early and
 * never ends; `reply.gapMs` pauses before each event after the first.
 */
export function sendEvents(res: ServerResponse, contentType: string, events: string[], stallAfter?: number, reply: Pick<MockReply, 'gapMs' | 'onEvent'> = {}): void {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  const sent = stallAfter === undefined ? events : events.slice(0, stallAfter);
  const gap = reply.gapMs ?? 0;
  if (gap <= 0) {
    sent.forEach((e, i) => (res.write(e), reply.onEvent?.(i, sent.length)));
    if (stallAfter === undefined) res.end();
    return;
  }
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    res.write(sent[i]!);
    reply.onEvent?.(i, sent.length);
    if (++i < sent.length) setTimeout(next, gap);
    else if (stallAfter === undefined) res.end();
  };
  next();
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits a string in two halves (argument and text deltas arrive in pieces). */
export function halves(s: string): string[] {
  if (s.length < 2) return [s];
  const mid = Math.floor(s.length / 2);
  return [s.slice(0, mid), s.slice(mid)];
}
