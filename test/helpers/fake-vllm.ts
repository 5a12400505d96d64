// A local vLLM tokenizer server (POST /tokenize, vLLM's documented JSON) on 127.0.0.1:0 with scripted slowness,
// errors and downtime, plus the scripted JSON server base that test/helpers/fake-lmcache.ts shares.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ScriptedRequest {
  path: string;
  raw: Buffer;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  behaviour: string;
  receivedAt: number;
}

/**
 * Behaviours, per request (queue first, then `behaviour`): `ok` | `delay:ms` (answer after ms) | `status:code` |
 * `reset` (destroy the socket, as a dead server would) | `bad-json` (200 with a non-JSON body).
 */
export abstract class ScriptedJsonServer {
  readonly requests: ScriptedRequest[] = [];
  /** Used when the queue is empty. */
  behaviour = 'ok';
  readonly #queue: string[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #server: Server | undefined;

  protected abstract answer(path: string, body: unknown): { status: number; json: unknown };

  async listen(): Promise<this> {
    const server = createServer((req, res) => this.#onRequest(req, res));
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    return this;
  }

  get port(): number {
    return (this.#server!.address() as AddressInfo).port;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Behaviours for the next requests, in order; they win over `behaviour`. */
  enqueue(...behaviours: string[]): this {
    this.#queue.push(...behaviours);
    return this;
  }

  callsTo(path: string): ScriptedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Polls `cond` every 5 ms; rejects after `timeoutMs` (tests never wait unboundedly). */
  async waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (!cond()) {
      if (performance.now() > until) throw new Error(`${this.constructor.name}.waitFor timed out after ${timeoutMs} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      const rec: ScriptedRequest = { path: req.url ?? '', raw, body, behaviour: this.#queue.shift() ?? this.behaviour, receivedAt: performance.now() };
      this.requests.push(rec);
      this.#respond(rec, res);
    });
  }

  #respond(rec: ScriptedRequest, res: ServerResponse): void {
    const [name, arg] = rec.behaviour.split(':');
    const send = (status: number, text: string) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    switch (name) {
      case 'ok': {
        const a = this.answer(rec.path, rec.body);
        return send(a.status, JSON.stringify(a.json));
      }
      case 'delay': {
        const t = setTimeout(() => {
          this.#timers.delete(t);
          const a = this.answer(rec.path, rec.body);
          send(a.status, JSON.stringify(a.json));
        }, Number(arg));
        this.#timers.add(t);
        return;
      }
      case 'status':
        return send(Number(arg), JSON.stringify({ detail: `fake status ${arg}` }));
      case 'bad-json':
        return send(200, 'this is not json');
      case 'reset':
        return void res.socket?.destroy();
      default:
        return send(500, JSON.stringify({ detail: `unknown behaviour ${rec.behaviour}` }));
    }
  }
}

/**
 * The fake's tokenizer: a BOS id 1, then one id per character (its code point). Deterministic and prefix-preserving,
 * like a real tokenizer on a shared prefix. Chat bodies go through a ChatML-like template first, as vLLM applies the
 * model's chat template to `messages`.
 */
export function fakeTokens(body: unknown): number[] {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { prompt?: unknown; messages?: unknown };
  let text = '';
  if (typeof b.prompt === 'string') text = b.prompt;
  else if (Array.isArray(b.messages)) {
    for (const m of b.messages as Array<{ role?: unknown; content?: unknown }>) text += `<|${String(m.role)}|>${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}\n`;
    text += '<|assistant|>';
  }
  return [1, ...[...text].map((c) => c.codePointAt(0)!)];
}

export class FakeVllm extends ScriptedJsonServer {
  static start(): Promise<FakeVllm> {
    return new FakeVllm().listen();
  }

  protected answer(path: string, body: unknown): { status: number; json: unknown } {
    if (path !== '/tokenize') return { status: 404, json: { detail: 'Not Found' } };
    const tokens = fakeTokens(body);
    return { status: 200, json: { count: tokens.length, max_model_len: 8192, tokens, token_strs: null } };
  }
}
