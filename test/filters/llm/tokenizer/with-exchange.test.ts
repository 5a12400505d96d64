// The tokenizer behind the real proxy reads the proxy's LLM exchange: its counters show the exchange's usage, and
// LlmTokenUsage is written exactly once per request — by the exchange when the upstream reported usage, by the
// tokenizer's estimate when it did not — whichever filter's onComplete runs first.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { LlmTokenUsage, type Attribute } from '../../../../core/index.js';
import { createWorkerPool } from '../../../../core/workers/index.js';
import { MANIFESTS, clientPath, readFixture, readJson } from '../../../adapters/provider/helpers.js';
import { testContext, type TestContext } from '../../../helpers/request-context.js';
import { proxyHarness } from '../proxy/helpers/setup.js';
import { metric, rig } from './harness.js';

const pool = createWorkerPool({ threads: 1, maxQueue: 64 });
t.teardown(() => pool.close());
const plugins = Object.values(MANIFESTS);

/** An Anthropic upstream: the fixture answer, or (noUsage) the same stream with every usage field removed. */
async function upstream(noUsage: boolean): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const stream = (JSON.parse(Buffer.concat(parts).toString('utf8')) as { stream?: boolean }).stream === true;
    let body = readFixture(`upstream/anthropic/${stream ? 'stream.sse' : 'response.json'}`).toString('utf8');
    if (noUsage && stream) body = body.replace(/,"usage":\{[^{}]*\}/g, '');
    if (noUsage && !stream) body = JSON.stringify({ ...(JSON.parse(body) as object), usage: undefined });
    res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

/** Counts the writes of one attribute on a context. */
function countWrites(ctx: TestContext, key: Attribute<unknown>): () => number {
  let n = 0;
  const set = ctx.set.bind(ctx);
  ctx.set = (<T>(k: Attribute<T>, v: T) => {
    if (k === key) n++;
    set(k, v);
  }) as typeof ctx.set;
  return () => n;
}

for (const noUsage of [false, true]) {
  for (const stream of [false, true]) {
    for (const proxyFirst of [true, false]) {
      const name = `${noUsage ? 'no usage' : 'usage'}, ${stream ? 'stream' : 'unary'}, ${proxyFirst ? 'proxy' : 'tokenizer'} onComplete first`;
      t.test(name, async (t) => {
        const up = await upstream(noUsage);
        const h = await proxyHarness([{ id: 'claude', to: up.port, llm: { provider: 'anthropic', api_key: 'sk-ant-test-1234', scheme: 'http' } }], {}, { plugins });
        t.teardown(async () => (await h.close(), await up.close()));
        const tok = await rig(pool);
        const body = { ...readJson<Record<string, unknown>>('requests/anthropic.json'), ...(stream ? { stream: true } : {}) };
        const ctx = testContext({ url: clientPath('anthropic', 'm', stream).path, body, clientApi: 'anthropic', cluster: h.cluster });
        const writes = countWrites(ctx, LlmTokenUsage as Attribute<unknown>);
        await tok.filter.decode(ctx);
        await h.filter.decode(ctx);
        tok.filter.encode(ctx);
        const out = ctx.response.body;
        if (out !== undefined && !Buffer.isBuffer(out)) {
          for await (const chunk of out) tok.filter.onChunk(ctx, chunk);
          await tok.filter.onStreamEnd(ctx);
        }
        if (proxyFirst) h.filter.onComplete(ctx);
        await tok.filter.onComplete(ctx);
        if (!proxyFirst) h.filter.onComplete(ctx);
        t.equal(writes(), 1, 'LlmTokenUsage written once');
        const usage = ctx.get(LlmTokenUsage)!;
        const series = { cluster_name: ctx.route.cluster };
        if (noUsage) {
          t.equal(usage.source, 'estimated');
          t.ok(usage.completion > 0, 'the answer text was counted locally');
        } else {
          t.same(usage, { model: usage.model, prompt: 220, completion: 48, total: 268, cached: 64, reasoning: 0, source: 'upstream' });
          t.equal(await metric(tok.registry, 'pixiu_llm_prompt_tokens_total', series), 220, 'pixiu prompt tokens from the exchange');
          t.equal(await metric(tok.registry, 'pixiu_llm_completion_tokens_total', series), 48, 'pixiu completion tokens from the exchange');
        }
      });
    }
  }
}
