// CPU of dgp.filter.llm.ratelimit alone, per request: the real filter (built from dist/ by its manifest, with the
// bench's rule — requests, tokens and concurrency on the client's ip, limits never reached — on the memory store) on a
// real request Context, decode + encode + onComplete, against the same loop without the filter (the Context, its body
// and its parse). No sockets, no proxy: what the filter's own code costs (bench/cpu-ab.ts measures the whole request).
//   npm run build && npx tsx bench/limiter-filter-cpu.ts [--requests 200000] [--base <dir>] [--no-headers]
// --base <dir>: another built checkout, measured in alternation with this one (see keys-filter-cpu.ts).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { UNARY_BODY } from './load/bodies.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200000' }, base: { type: 'string' }, 'no-headers': { type: 'boolean', default: false } } });
const N = Number(values.requests);
const ROUNDS = 6;

interface Ctx {
  request: { setBody(b: Buffer): void; json(): Promise<unknown> };
  response: { status: number; body: unknown; headers: Record<string, string> };
  set(key: unknown, value: unknown): void;
  replied: boolean;
}
interface Filter {
  decode(ctx: Ctx): unknown;
  encode(ctx: Ctx): unknown;
  onComplete(ctx: Ctx): unknown;
}
type Run = () => Promise<void>;

const usage = { input: 25, output: 20, cache_read: 0, cache_write: 0, reasoning: 0, total: 45 };
const body = Buffer.from(UNARY_BODY);
const route = { id: 'r0', cluster: 'mock' };

/** The filter's loop and the loop without it, from the build in `root`. */
async function loops(root: string): Promise<{ withFilter: Run; without: Run }> {
  const load = (p: string): Promise<Record<string, unknown>> => import(pathToFileURL(resolve(root, 'dist', p)).href) as Promise<Record<string, unknown>>;
  const { stubFactoryContext } = (await load('core/testing/factory-context.js')) as { stubFactoryContext: () => { log: unknown } };
  const limiter = (await load('filters/llm/ratelimit/index.js')).default as { configSchema: object; create(c: unknown, f: unknown): Promise<Filter> | Filter };
  const { Context } = (await load('core/http/context.js')) as { Context: new (...a: unknown[]) => Ctx };
  const { LlmExchangeKey } = (await load('core/llm/index.js')) as { LlmExchangeKey: unknown };
  const { checkAgainstSchema } = (await load('core/config/schema-check.js')) as { checkAgainstSchema(s: object, v: unknown): { value: unknown; issues: unknown[] } };
  const fctx = stubFactoryContext();
  const rule = { scope: 'ip', requests: { per_minute: 1_000_000_000 }, tokens: { per_minute: 1_000_000_000_000 }, concurrency: 100_000 };
  const config = checkAgainstSchema(limiter.configSchema, { rules: [rule], ...(values['no-headers'] ? { response_headers: false } : {}) });
  if (config.issues.length > 0) throw new Error(JSON.stringify(config.issues));
  const filter = await limiter.create(config.value, fctx);
  const replies = { render: () => { throw new Error('the limiter replied: the bench rule is wrong'); } };
  const fresh = (): Ctx => {
    const req = { method: 'POST', url: '/v1/chat/completions', headers: { 'content-type': 'application/json', host: 'x' }, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    const ctx = new Context(req, randomUUID(), route, fctx.log, replies, 1 << 20, Date.now());
    ctx.request.setBody(body);
    return ctx;
  };
  // What the proxy leaves on a completed request: the exchange with the upstream's usage.
  const exchange = { target: { cluster: 'mock', endpoint: 'mock', provider: 'openai', model: 'gpt-4o-mini' }, responseModel: 'gpt-4o-mini-2024-07-18', settled: true, usage: () => usage, settle: () => usage, subscribe() {} };
  return {
    async withFilter() {
      const ctx = fresh();
      await filter.decode(ctx);
      if (ctx.replied) throw new Error('the limiter refused the bench request');
      ctx.set(LlmExchangeKey, exchange);
      ctx.response.status = 200;
      ctx.response.body = body;
      filter.encode(ctx);
      await filter.onComplete(ctx);
    },
    async without() {
      const ctx = fresh();
      await ctx.request.json();
      ctx.set(LlmExchangeKey, exchange);
    },
  };
}

const builds = [{ name: 'this build', ...(await loops(process.cwd())) }];
if (values.base !== undefined) builds.unshift({ name: `base ${values.base}`, ...(await loops(values.base)) });

async function cpuPerRun(run: Run, n: number): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await run();
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / n) * 1000;
}

for (const b of builds) for (let i = 0; i < 30_000; i++) (await b.withFilter(), await b.without()); // JIT
const samples = builds.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, b] of builds.entries()) samples[i]!.push((await cpuPerRun(b.withFilter, N / ROUNDS)) - (await cpuPerRun(b.without, N / ROUNDS)));
}
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
for (const [i, b] of builds.entries()) {
  console.log(`${b.name.padEnd(30)} rate limiter ${median(samples[i]!).toFixed(0).padStart(6)} ns/request  rounds ${samples[i]!.map((s) => s.toFixed(0)).join(' ')}`);
}
process.exit(0);
