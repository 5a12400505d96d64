// Counter VALUES for unary and streamed OpenAI, Anthropic and Gemini answers, identity and gzip: Pixiu's
// pixiu_llm_* token counters and dgp_llm_tokens_total, with cumulative usage (Anthropic, Gemini) never double counted.
import t from 'tap';
import { LlmTokenUsage } from '../../../../core/index.js';
import { createWorkerPool } from '../../../../core/workers/index.js';
import { exchange, json, metric, rig, sse } from './harness.js';
import { request, type Api } from './requests.js';
import { anthropicStream, anthropicUnary, EXPECTED, MODEL_LABEL, geminiStream, geminiUnary, openaiStream, openaiUnary } from './upstream-shapes.js';

const pool = createWorkerPool({ threads: 1, maxQueue: 64 });
t.teardown(() => pool.close());

const bodies: Record<Api, { stream: (up: Record<string, unknown>) => string; unary: () => string }> = {
  openai: { stream: (up) => openaiStream({ includeUsage: (up.stream_options as { include_usage?: boolean })?.include_usage === true }), unary: openaiUnary },
  anthropic: { stream: anthropicStream, unary: anthropicUnary },
  gemini: { stream: geminiStream, unary: geminiUnary },
};

for (const api of ['openai', 'anthropic', 'gemini'] as const) {
  for (const mode of ['unary', 'stream'] as const) {
    for (const gzip of [false, true]) {
      t.test(`${api} ${mode} ${gzip ? 'gzip' : 'identity'}`, async (t) => {
        const r = await rig(pool);
        const want = EXPECTED[api];
        const { ctx } = await exchange(r, request(api, mode === 'stream'), (up) =>
          mode === 'stream' ? sse(bodies[api].stream(up), { gzip }) : json(bodies[api].unary(), { gzip }),
        );
        const pixiu = { model: MODEL_LABEL[api], cluster_name: 'llm' };
        t.equal(await metric(r.registry, 'pixiu_llm_prompt_tokens_total', pixiu), want.prompt, 'pixiu prompt tokens');
        t.equal(await metric(r.registry, 'pixiu_llm_completion_tokens_total', pixiu), want.completion, 'pixiu completion tokens');
        t.equal(await metric(r.registry, 'pixiu_llm_total_tokens_total', pixiu), want.total, 'pixiu total tokens');
        for (const direction of ['prompt', 'completion', 'cached', 'reasoning'] as const) {
          const labels = { direction, model: MODEL_LABEL[api], cluster: 'llm', endpoint: 'none', source: 'upstream' };
          t.equal(await metric(r.registry, 'dgp_llm_tokens_total', labels), want[direction], `dgp ${direction} tokens`);
        }
        t.equal(await metric(r.registry, 'dgp_llm_tokens_total', { source: 'estimated' }), 0, 'nothing estimated');
        t.equal(await metric(r.registry, 'pixiu_llm_streaming_requests_total', { cluster_name: 'llm' }), mode === 'stream' ? 1 : 0);
        t.same(ctx.get(LlmTokenUsage), { ...want, source: 'upstream' });
      });
    }
  }
}

t.test('requests add up across a factory: two streams, one unary', async (t) => {
  const r = await rig(pool);
  await exchange(r, request('anthropic', true), () => sse(anthropicStream()));
  await exchange(r, request('anthropic', true), () => sse(anthropicStream(), { chunk: 5 }));
  await exchange(r, request('anthropic', false), () => json(anthropicUnary()));
  const labels = { model: MODEL_LABEL.anthropic, cluster_name: 'llm' };
  t.equal(await metric(r.registry, 'pixiu_llm_prompt_tokens_total', labels), 3 * 33);
  t.equal(await metric(r.registry, 'pixiu_llm_completion_tokens_total', labels), 3 * 15);
  t.equal(await metric(r.registry, 'pixiu_llm_streaming_requests_total'), 2);
});

t.test('alternating label sets each count into their own series (the last-label-set memo never crosses them)', async (t) => {
  const r = await rig(pool);
  for (const api of ['anthropic', 'openai', 'anthropic', 'anthropic', 'openai'] as const) {
    await exchange(r, request(api, false), () => json(bodies[api].unary()));
  }
  await exchange(r, request('openai', true), (up) => sse(bodies.openai.stream(up)));
  const prompt = (api: Api) => metric(r.registry, 'pixiu_llm_prompt_tokens_total', { model: MODEL_LABEL[api], cluster_name: 'llm' });
  t.equal(await prompt('anthropic'), 3 * EXPECTED.anthropic.prompt);
  t.equal(await prompt('openai'), 3 * EXPECTED.openai.prompt);
  t.equal(await metric(r.registry, 'pixiu_llm_streaming_requests_total'), 1);
});

t.test('raw DEFLATE and zlib deflate and brotli unary bodies are all read; the client bytes are untouched', async (t) => {
  const zlib = await import('node:zlib');
  const text = Buffer.from(openaiUnary());
  for (const [coding, bytes] of [
    ['deflate', zlib.deflateSync(text)],
    ['deflate', zlib.deflateRawSync(text)],
    ['br', zlib.brotliCompressSync(text)],
    ['gzip, identity', zlib.gzipSync(text)],
  ] as const) {
    const r = await rig(pool);
    const { client } = await exchange(r, request('openai', false), () => ({ headers: { 'content-type': 'application/json', 'content-encoding': coding }, body: bytes }));
    t.equal(await metric(r.registry, 'pixiu_llm_prompt_tokens_total'), 19, `${coding} parsed`);
    t.ok(client.equals(bytes), `${coding}: client bytes unchanged`);
  }
});

t.test('a broken gzip stream or an unknown coding never disturbs the client; nothing is counted from it', async (t) => {
  const r = await rig(pool, { estimate_missing_usage: false });
  const junk = Buffer.from('\x1f\x8b\x08\x00garbage that is not gzip at all');
  const { client } = await exchange(r, request('anthropic', true), () => ({ headers: { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' }, body: [junk, junk] }));
  t.ok(client.equals(Buffer.concat([junk, junk])));
  const z = await exchange(r, request('anthropic', false), () => ({ headers: { 'content-type': 'application/json', 'content-encoding': 'zstd' }, body: Buffer.from('xx') }));
  t.equal(z.client.toString(), 'xx');
  t.equal(await metric(r.registry, 'pixiu_llm_prompt_tokens_total'), 0);
});

t.test('Pixiu bug 16 fixed: multi-line data and event/id fields are parsed', async (t) => {
  const r = await rig(pool);
  const multi = 'event: message_delta\nid: 3\ndata: {"type":"message_delta",\ndata:  "usage":{"output_tokens":7}}\n\n';
  const start = 'event: message_start\ndata: {"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":4,"output_tokens":1}}}\n\n';
  await exchange(r, request('anthropic', true), () => sse(start + multi));
  t.equal(await metric(r.registry, 'pixiu_llm_completion_tokens_total', { cluster_name: 'llm' }), 7);
  t.equal(await metric(r.registry, 'pixiu_llm_prompt_tokens_total', { cluster_name: 'llm' }), 4);
});
