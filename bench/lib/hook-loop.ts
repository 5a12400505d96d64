// The hot-loop harness of keys-filter-cpu.ts and limiter-filter-cpu.ts: one filter's decode + encode + onComplete on a
// real request Context (as the proxy leaves it: the exchange with the upstream's usage, a 200 and its body), against
// the same loop without the filter, in alternating rounds, reported as the median ns per request per build.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export type Run = () => Promise<void>;

export interface HookCtx {
  request: { json(): Promise<unknown> };
  response: { status: number; body: unknown };
  set(key: unknown, value: unknown): void;
  replied: boolean;
}

export interface HookFilter {
  decode(ctx: HookCtx): unknown;
  encode(ctx: HookCtx): unknown;
  onComplete(ctx: HookCtx): unknown;
}

export interface Loops {
  withFilter: Run;
  without: Run;
}

export const BENCH_USAGE = { input: 25, output: 20, cache_read: 0, cache_write: 0, reasoning: 0, total: 45 };

/** What the proxy leaves on a completed request: its exchange, with the upstream's usage. */
export const BENCH_EXCHANGE = {
  target: { cluster: 'mock', endpoint: 'mock', provider: 'openai', model: 'gpt-4o-mini' },
  responseModel: 'gpt-4o-mini-2024-07-18',
  settled: true,
  usage: () => BENCH_USAGE,
  settle: () => BENCH_USAGE,
  subscribe() {},
};

/** The two loops for `filter`: `fresh` makes a request Context with the bench body; `exchangeKey` is LlmExchangeKey. */
export function hookLoops(filter: HookFilter, fresh: () => HookCtx, exchangeKey: unknown, body: Buffer, what: string): Loops {
  return {
    async withFilter() {
      const ctx = fresh();
      await filter.decode(ctx);
      if (ctx.replied) throw new Error(`the ${what} replied itself: the bench's configuration is wrong`);
      ctx.set(exchangeKey, BENCH_EXCHANGE);
      ctx.response.status = 200;
      ctx.response.body = body;
      filter.encode(ctx);
      await filter.onComplete(ctx);
    },
    async without() {
      const ctx = fresh();
      await ctx.request.json();
      ctx.set(exchangeKey, BENCH_EXCHANGE);
    },
  };
}

async function cpuPerRun(run: Run, n: number): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await run();
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / n) * 1000;
}

/** Warms every build up, runs `rounds` alternating rounds of `requests` in all, prints one line per build. */
export async function measureLoops(what: string, builds: ReadonlyArray<{ name: string } & Loops>, requests: number, rounds = 6): Promise<void> {
  for (const b of builds) for (let i = 0; i < 30_000; i++) (await b.withFilter(), await b.without()); // JIT, first windows
  const samples = builds.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, b] of builds.entries()) samples[i]!.push((await cpuPerRun(b.withFilter, requests / rounds)) - (await cpuPerRun(b.without, requests / rounds)));
  }
  const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
  for (const [i, b] of builds.entries()) {
    console.log(`${b.name.padEnd(30)} ${what} ${median(samples[i]!).toFixed(0).padStart(6)} ns/request  rounds ${samples[i]!.map((s) => s.toFixed(0)).join(' ')}`);
  }
}

type Load = (path: string) => Promise<Record<string, unknown>>;

/** What both loops take from a built checkout's dist/: its request Context, the exchange key, config checks, a stub factory context. */
export interface BuildParts<F> {
  load: Load;
  fctx: F;
  LlmExchangeKey: unknown;
  checkAgainstSchema(schema: object, value: unknown): { value: unknown; issues: unknown[] };
  /** A fresh POST /v1/chat/completions Context with these headers and socket, its body set to `body`. */
  fresh(headers: Record<string, string>, socket: object, log: unknown, body: Buffer): () => HookCtx;
}

export async function buildParts<F>(root: string): Promise<BuildParts<F>> {
  const load: Load = (p) => import(pathToFileURL(resolve(root, 'dist', p)).href) as Promise<Record<string, unknown>>;
  const { stubFactoryContext } = (await load('core/testing/factory-context.js')) as { stubFactoryContext: () => F };
  const { Context } = (await load('core/http/context.js')) as { Context: new (...a: unknown[]) => HookCtx & { request: { setBody(b: Buffer): void } } };
  const { LlmExchangeKey } = await load('core/llm/index.js');
  const { checkAgainstSchema } = (await load('core/config/schema-check.js')) as Pick<BuildParts<F>, 'checkAgainstSchema'>;
  const route = { id: 'r0', cluster: 'mock' };
  const replies = { render: () => { throw new Error('a local reply: the bench configuration is wrong'); } };
  return {
    load, fctx: stubFactoryContext(), LlmExchangeKey, checkAgainstSchema,
    fresh: (headers, socket, log, body) => () => {
      const req = { method: 'POST', url: '/v1/chat/completions', headers: { ...headers }, socket } as unknown as IncomingMessage;
      const ctx = new Context(req, randomUUID(), route, log, replies, 1 << 20, Date.now());
      ctx.request.setBody(body);
      return ctx;
    },
  };
}
