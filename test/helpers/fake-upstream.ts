// A scripted, fault-injecting mock LLM upstream on 127.0.0.1:0 (reliability.md "FakeUpstream"). Each request runs one
// behaviour — from the queue (enqueue), else the `x-fake` request header, else the server default — and is recorded
// with its headers, body, connection id and received/finished/aborted timestamps.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * Behaviours: `json` | `sse:n:ms` | `sse-cut:n[:ms]` (destroy after n events) | `sse-rst:n[:ms]` (TCP RST after n) |
 * `stall-headers:ms[:status]` | `stall-body:ms` | `status:code[:retry-after]` | `empty-sse` | `echo-headers` |
 * `rst-headers` (RST before any response byte) | `close-headers` (FIN before any response byte).
 */
export type Behaviour = string;

export interface RecordedRequest {
  seq: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Raw name/value pairs as received, duplicates kept. */
  rawHeaders: string[];
  body: Buffer;
  connectionId: number;
  behaviour: Behaviour;
  receivedAt: number;
  /** The response was fully written. */
  finishedAt?: number;
  /** The peer (the gateway) closed before the response was fully written. */
  abortedAt?: number;
  /** SSE events written before the end or the abort. */
  eventsSent: number;
}

export interface RecordedConnection {
  id: number;
  openedAt: number;
  closedAt?: number;
}

export const FAKE_JSON = {
  id: 'chatcmpl-fake',
  object: 'chat.completion',
  created: 1700000000,
  model: 'fake-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
};

/** The i-th event of an `sse:*` stream, in OpenAI chunk shape. */
export function fakeSseEvent(i: number): string {
  const chunk = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1700000000, model: 'fake-model', choices: [{ index: 0, delta: { content: `t${i}` }, finish_reason: null }] };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

export class FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  readonly connections = new Map<number, RecordedConnection>();
  /** Used when neither the queue nor `x-fake` names a behaviour. */
  behaviour: Behaviour;
  readonly #queue: Behaviour[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #socketIds = new WeakMap<Socket, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #nextConn = 1;

  private constructor(
    private readonly server: Server,
    behaviour: Behaviour,
  ) {
    this.behaviour = behaviour;
  }

  /** `fixed: true` makes the default win over `x-fake` (several upstreams behind one request, each scripted). */
  static async start(opts: { behaviour?: Behaviour; fixed?: boolean; keepAliveTimeout?: number } = {}): Promise<FakeUpstream> {
    const server = createServer();
    const up = new FakeUpstream(server, opts.behaviour ?? 'json');
    const fixed = opts.fixed === true;
    server.keepAliveTimeout = opts.keepAliveTimeout ?? 5000;
    server.on('connection', (s) => up.#onConnection(s));
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const header = req.headers['x-fake'];
        const rec: RecordedRequest = {
          seq: up.requests.length,
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks),
          connectionId: up.#socketIds.get(req.socket) ?? 0,
          behaviour: up.#queue.shift() ?? (typeof header === 'string' && !fixed ? header : up.behaviour),
          receivedAt: performance.now(),
          eventsSent: 0,
        };
        up.requests.push(rec);
        res.on('close', () => {
          if (res.writableFinished) rec.finishedAt = performance.now();
          else rec.abortedAt = performance.now();
        });
        up.#run(rec, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return up;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Queues behaviours for the next requests, in order; they win over `x-fake` and the default. */
  enqueue(...behaviours: Behaviour[]): this {
    this.#queue.push(...behaviours);
    return this;
  }

  /** Sockets currently open from the gateway. */
  openConnections(): number {
    return [...this.connections.values()].filter((c) => c.closedAt === undefined).length;
  }

  /** Polls `cond` every 5 ms until true; rejects after `timeoutMs` (no unbounded waits in tests). */
  async waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (!cond()) {
      if (performance.now() > until) throw new Error(`FakeUpstream.waitFor timed out after ${timeoutMs} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #onConnection(s: Socket): void {
    const id = this.#nextConn++;
    this.#socketIds.set(s, id);
    this.#sockets.add(s);
    this.connections.set(id, { id, openedAt: performance.now() });
    s.on('close', () => {
      this.#sockets.delete(s);
      const c = this.connections.get(id);
      if (c) c.closedAt = performance.now();
    });
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #run(rec: RecordedRequest, res: ServerResponse): void {
    const [name = 'json', a, b] = rec.behaviour.split(':');
    const n = Number(a ?? 0);
    const ms = Number(b ?? 0);
    const json = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
      res.end(text);
    };
    switch (name) {
      case 'json':
        return json(200, FAKE_JSON);
      case 'echo-headers':
        return json(200, { method: rec.method, url: rec.url, headers: rec.headers, rawHeaders: rec.rawHeaders, bodyLength: rec.body.length });
      case 'status': {
        const extra: Record<string, string> = b === undefined ? {} : { 'retry-after': b };
        return json(n, { error: { message: `fake status ${n}`, type: 'fake_error', code: n } }, extra);
      }
      case 'stall-headers':
        // `stall-headers:ms:status` answers with that status (an error body) after the stall.
        return this.#later(n, () => {
          if (res.destroyed) return;
          if (b === undefined) json(200, FAKE_JSON);
          else json(ms, { error: { message: `fake status ${ms}`, type: 'fake_error', code: ms } });
        });
      case 'stall-body': {
        const text = JSON.stringify(FAKE_JSON);
        const half = Math.floor(text.length / 2);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.write(text.slice(0, half));
        return this.#later(n, () => !res.destroyed && res.end(text.slice(half)));
      }
      case 'empty-sse':
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        return void res.end();
      case 'rst-headers':
        return void res.socket?.resetAndDestroy();
      case 'close-headers':
        return void res.socket?.destroy();
      case 'sse':
      case 'sse-cut':
      case 'sse-rst':
        return this.#sse(rec, res, name, n, ms);
      default:
        return json(500, { error: { message: `unknown fake behaviour ${rec.behaviour}` } });
    }
  }

  #sse(rec: RecordedRequest, res: ServerResponse, mode: string, count: number, interval: number): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const step = (): void => {
      if (res.destroyed) return;
      if (rec.eventsSent < count) {
        res.write(fakeSseEvent(rec.eventsSent++));
        return interval > 0 ? this.#later(interval, step) : step();
      }
      if (mode === 'sse') return void res.end('data: [DONE]\n\n');
      // Let the written events reach the wire before the connection is cut.
      this.#later(5, () => (mode === 'sse-rst' ? res.socket?.resetAndDestroy() : res.socket?.destroy()));
    };
    step();
  }
}
