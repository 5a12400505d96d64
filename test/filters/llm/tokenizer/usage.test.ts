// Usage shapes one by one: cumulative reports are merged not added, the Responses API and Gemini's JSON-array stream,
// completion text extraction, and the tail search used for bodies too big to parse whole.
import t from 'tap';
import { usageFromTail } from '../../../../filters/llm/tokenizer/json-tail.js';
import { completionText, UsageTracker } from '../../../../filters/llm/tokenizer/usage.js';
import { createWorkerPool } from '../../../../core/workers/index.js';
import { LlmTokenUsage } from '../../../../core/index.js';
import { chunksOf, exchange, rig } from './harness.js';
import { request } from './requests.js';

t.test('cumulative usage in every chunk (vLLM continuous_usage_stats) is merged, not summed', async (t) => {
  const u = new UsageTracker();
  for (let i = 1; i <= 5; i++) u.observe({ model: 'qwen', choices: [], usage: { prompt_tokens: 10, completion_tokens: i, total_tokens: 10 + i } });
  t.same(u.result(), { prompt: 10, completion: 5, total: 15, cached: 0, reasoning: 0 });
  t.equal(u.model, 'qwen');
});

t.test('usage: null, missing or non-numeric fields find nothing', async (t) => {
  const u = new UsageTracker();
  u.observe({ usage: null });
  u.observe({ usage: { prompt_tokens: '7' } });
  u.observe('x');
  t.equal(u.found, false);
  t.equal(u.result(), undefined);
});

t.test('OpenAI Responses API: response.completed carries the usage', async (t) => {
  const u = new UsageTracker();
  u.observe({ type: 'response.created', response: { model: 'gpt-5', usage: null } });
  u.observe({ type: 'response.output_text.delta', delta: 'Hi' });
  u.observe({
    type: 'response.completed',
    response: { model: 'gpt-5', usage: { input_tokens: 30, input_tokens_details: { cached_tokens: 8 }, output_tokens: 12, output_tokens_details: { reasoning_tokens: 5 }, total_tokens: 42 } },
  });
  t.same(u.result(), { prompt: 30, completion: 12, total: 42, cached: 8, reasoning: 5 });
  t.equal(completionText({ type: 'response.output_text.delta', delta: 'Hi' }), 'Hi');
});

t.test('Gemini non-SSE stream (a JSON array): the last usageMetadata wins', async (t) => {
  const u = new UsageTracker();
  u.observe([
    { candidates: [{ content: { parts: [{ text: 'a' }] } }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 1, totalTokenCount: 5 } },
    { candidates: [{ content: { parts: [{ text: 'b' }] } }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 }, modelVersion: 'gemini-x' },
  ]);
  t.same(u.result(), { prompt: 4, completion: 2, total: 6, cached: 0, reasoning: 0 });
  t.equal(u.model, 'gemini-x');
});

t.test('completion text from every shape', async (t) => {
  t.equal(completionText({ choices: [{ delta: { content: 'a', reasoning_content: 'r', tool_calls: [{ function: { name: 'f', arguments: '{"x"' } }] } }] }), 'arf{"x"');
  t.equal(completionText({ choices: [{ text: 'legacy' }] }), 'legacy');
  t.equal(completionText({ type: 'content_block_delta', delta: { type: 'input_json_delta', partial_json: '{"q":' } }), '{"q":');
  t.equal(completionText({ type: 'message', content: [{ type: 'text', text: 'x' }, { type: 'tool_use', name: 't', input: { a: 1 } }] }), 'xt{"a":1}');
  t.equal(completionText({ candidates: [{ content: { parts: [{ text: 'g' }, { functionCall: { name: 'n', args: {} } }] } }] }), 'gn{}');
});

t.test('tail search finds the last usage object, skipping look-alikes inside strings', async (t) => {
  const body = `{"model":"text-embedding-3-small","data":[${'0.1,'.repeat(1000)}0.2],"note":"\\"usage\\":{not}","usage":{"prompt_tokens":8,"total_tokens":8}}`;
  t.same(usageFromTail(body.slice(-200), body.slice(0, 100)), { usage: { prompt_tokens: 8, total_tokens: 8 }, model: 'text-embedding-3-small' });
  t.same(usageFromTail('{"usageMetadata": {"promptTokenCount": 3}}'), { usageMetadata: { promptTokenCount: 3 } });
  t.same(usageFromTail('nothing here'), {});
});

t.test('a non-SSE streamed JSON body bigger than max_event_bytes is read from its tail', async (t) => {
  const pool = createWorkerPool({ threads: 1, maxQueue: 4 });
  t.teardown(() => pool.close());
  const r = await rig(pool, { max_event_bytes: 4096, estimate_missing_usage: false });
  const big = JSON.stringify({ object: 'list', model: 'text-embedding-3-small', data: [{ embedding: Array.from({ length: 3000 }, (_, i) => i / 7) }], usage: { prompt_tokens: 8, total_tokens: 8 } });
  const { ctx, client } = await exchange(r, request('openai', false, { model: 'text-embedding-3-small', input: 'hello' }), () => ({
    headers: { 'content-type': 'application/json' },
    body: chunksOf(Buffer.from(big), 1000),
  }));
  t.equal(client.toString(), big);
  t.same(ctx.get(LlmTokenUsage), { model: 'text-embedding-3-small', prompt: 8, completion: 0, total: 8, cached: 0, reasoning: 0, source: 'upstream' });
});
