// inject_stream_usage: the upstream is asked for usage, and the client still receives exactly the bytes it would have
// received without the gateway (usage chunk and "usage":null fields stripped) — unless it asked for usage itself.
import t from 'tap';
import { LlmTokenUsage } from '../../../../core/index.js';
import { createWorkerPool } from '../../../../core/workers/index.js';
import { exchange, rig, sse } from './harness.js';
import { request } from './requests.js';
import { anthropicStream, EXPECTED, openaiStream } from './upstream-shapes.js';

const pool = createWorkerPool({ threads: 1, maxQueue: 64 });
t.teardown(() => pool.close());

/** An OpenAI-like upstream: usage only when the request it receives asks for it. */
const openaiUpstream = (up: Record<string, unknown>) =>
  sse(openaiStream({ includeUsage: (up.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true }), { chunk: 61 });

t.test('a client that did not ask: usage injected upstream, stripped for the client', async (t) => {
  const r = await rig(pool);
  const { ctx, upstreamBody, client } = await exchange(r, request('openai', true), openaiUpstream);
  t.same(upstreamBody.stream_options, { include_usage: true }, 'the upstream was asked for usage');
  t.equal(ctx.request.headers['accept-encoding'], 'identity');
  t.equal(client.toString(), openaiStream({ includeUsage: false }), 'client bytes identical to a direct call');
  t.notMatch(client.toString(), /usage/);
  t.same(ctx.get(LlmTokenUsage), { ...EXPECTED.openai, source: 'upstream' }, 'and the usage was counted');
});

t.test('other stream_options are kept; include_usage:false is overridden upstream and honoured for the client', async (t) => {
  const r = await rig(pool);
  const { upstreamBody, client } = await exchange(r, request('openai', true, { stream_options: { include_usage: false, continuous_usage_stats: false } }), openaiUpstream);
  t.same(upstreamBody.stream_options, { include_usage: true, continuous_usage_stats: false });
  t.equal(client.toString(), openaiStream({ includeUsage: false }));
});

t.test('a client that asked for usage gets the usage chunk, and its body is not rewritten', async (t) => {
  const r = await rig(pool);
  const init = request('openai', true, { stream_options: { include_usage: true } });
  const sent = JSON.stringify(init.body);
  const { ctx, upstreamBody, client } = await exchange(r, init, openaiUpstream);
  t.equal(JSON.stringify(upstreamBody), sent);
  t.equal(client.toString(), openaiStream({ includeUsage: true }));
  t.equal(ctx.get(LlmTokenUsage)?.prompt, 19);
});

t.test('the filter with inject off, and non-OpenAI or non-stream requests, change no byte either way', async (t) => {
  const off = await rig(pool, { inject_stream_usage: false });
  const a = await exchange(off, request('openai', true), openaiUpstream);
  t.equal(a.upstreamBody.stream_options, undefined);
  t.equal(a.client.toString(), openaiStream({ includeUsage: false }));
  const on = await rig(pool);
  const b = await exchange(on, request('anthropic', true), () => sse(anthropicStream(), { chunk: 13 }));
  t.equal(b.upstreamBody.stream_options, undefined);
  t.equal(b.client.toString(), anthropicStream());
  const c = await exchange(on, request('openai', false), () => ({ headers: { 'content-type': 'application/json' }, body: Buffer.from('{"x":1}') }));
  t.equal(c.upstreamBody.stream_options, undefined, 'a unary request is not touched');
  t.equal(c.client.toString(), '{"x":1}');
});

t.test('usage on a content chunk (some OpenAI-compatible servers) is counted and left in place', async (t) => {
  const r = await rig(pool);
  const odd =
    'data: {"model":"m","choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null}\n\n' +
    'data: {"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n' +
    'data: [DONE]\n\n';
  const { ctx, client } = await exchange(r, request('openai', true), () => sse(odd, { chunk: 7 }));
  t.equal(
    client.toString(),
    'data: {"model":"m","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n' +
      'data: {"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n' +
      'data: [DONE]\n\n',
  );
  t.equal(ctx.get(LlmTokenUsage)?.total, 4);
});

t.test('comments, other events and an unterminated last event pass through untouched', async (t) => {
  const r = await rig(pool);
  const text = ': keep-alive\n\nevent: error\ndata: {"error":{"message":"x"}}\n\ndata: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}\n\ndata: tail-without-blank-line';
  const { client } = await exchange(r, request('openai', true), () => sse(text, { chunk: 9 }));
  t.equal(client.toString(), ': keep-alive\n\nevent: error\ndata: {"error":{"message":"x"}}\n\ndata: tail-without-blank-line');
});
