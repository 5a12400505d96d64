// No usage from the upstream → prompt and completion are counted locally in the worker pool, source="estimated",
// within 2% of the tokenizer's own count of the same text (exact for the prompt).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { LlmTokenUsage } from '../../../../core/index.js';
import { createWorkerPool } from '../../../../core/workers/index.js';
import { chunksOf, exchange, json, metric, rig, sse } from './harness.js';
import { request } from './requests.js';
import { anthropicStream, MESSAGES, openaiStream, openaiUnary, PIECES, TEXT } from './upstream-shapes.js';

const pool = createWorkerPool({ threads: 1, maxQueue: 64 });
t.teardown(() => pool.close());

const tokens = async (text: string, encoding: string) => (await pool.run<{ count: number }>('tokenize', { text, encoding })).count;
const chatTokens = async (messages: unknown[], encoding: string) => (await pool.run<{ count: number }>('countChatTokens', { messages, encoding })).count;
const within2pct = (got: number, want: number) => Math.abs(got - want) <= Math.max(1, want * 0.02);

t.test('OpenAI stream without usage (a server that ignores include_usage), 150 KB of text', async (t) => {
  const words = 'Streaming tokens arrive one small piece at a time, sometimes in the middle of a wörd 世界. ';
  const pieces = words.repeat(1700).match(/.{1,7}/gsu)!;
  const full = pieces.join('');
  const r = await rig(pool);
  const { ctx } = await exchange(r, request('openai', true), () => sse(openaiStream({ includeUsage: false, pieces }), { chunk: 1500 }));
  const usage = ctx.get(LlmTokenUsage)!;
  t.equal(usage.source, 'estimated');
  t.equal(usage.prompt, await chatTokens(MESSAGES, 'o200k_base'), 'prompt: OpenAI chat rules, exactly');
  const want = await tokens(full, 'o200k_base');
  t.ok(within2pct(usage.completion, want), `completion ${usage.completion} within 2% of ${want}`);
  const labels = { model: 'gpt-4o', cluster: 'llm', endpoint: 'none', source: 'estimated' };
  t.equal(await metric(r.registry, 'dgp_llm_tokens_total', { ...labels, direction: 'completion' }), usage.completion);
  t.equal(await metric(r.registry, 'pixiu_llm_completion_tokens_total', { model: 'gpt-4o' }), usage.completion);
  t.equal(await metric(r.registry, 'dgp_llm_tokens_total', { source: 'upstream' }), 0);
});

t.test('OpenAI unary and Anthropic stream without usage', async (t) => {
  const r = await rig(pool);
  const unary = JSON.parse(openaiUnary({ usage: false })) as object;
  const a = await exchange(r, request('openai', false), () => json(JSON.stringify(unary)));
  t.same(a.ctx.get(LlmTokenUsage), {
    model: 'gpt-4o-2024-08-06',
    prompt: await chatTokens(MESSAGES, 'o200k_base'),
    completion: await tokens(TEXT, 'o200k_base'),
    total: (await chatTokens(MESSAGES, 'o200k_base')) + (await tokens(TEXT, 'o200k_base')),
    cached: 0,
    reasoning: 0,
    source: 'estimated',
  });
  const b = await exchange(r, request('anthropic', true), () => sse(anthropicStream({ usage: false })));
  const u = b.ctx.get(LlmTokenUsage)!;
  t.equal(u.source, 'estimated');
  t.equal(u.model, 'claude-sonnet-4-20250514');
  t.equal(u.prompt, await chatTokens(MESSAGES, 'o200k_base'), 'Anthropic system + messages counted like a chat');
  t.ok(within2pct(u.completion, await tokens(PIECES.join(''), 'o200k_base')));
});

t.test('model_encodings picks the tokenizer; a relative tokenizer.json path is read from the config directory', async (t) => {
  const r = await rig(pool, { model_encodings: { 'gpt-4o': 'cl100k_base' } });
  const { ctx } = await exchange(r, request('openai', false), () => json(openaiUnary({ usage: false })));
  t.equal(ctx.get(LlmTokenUsage)?.completion, await tokens(TEXT, 'cl100k_base'));
  const fixtures = dirname(fileURLToPath(new URL('../../../core/workers/fixtures/tokenizer.json', import.meta.url)));
  const hf = await rig(pool, { model_encodings: { 'my-llama*': 'tokenizer.json' } }, fixtures);
  const body = JSON.stringify({ model: 'my-llama-3', choices: [{ message: { content: 'Hello, World!' } }] });
  const h = await exchange(hf, request('openai', false, { model: 'my-llama-3' }), () => json(body));
  t.equal(h.ctx.get(LlmTokenUsage)?.completion, 4, 'counted by the Hugging Face tokenizer');
});

t.test('nothing is estimated for failed answers, non-LLM bodies, or when estimation is off', async (t) => {
  const r = await rig(pool);
  const e = await exchange(r, request('openai', false), () => ({ ...json('{"error":{"message":"bad"}}'), status: 400 }));
  t.equal(e.ctx.get(LlmTokenUsage), undefined);
  const g = await exchange(r, { url: '/v1/models', method: 'GET', clientApi: 'openai' }, () => json('{"data":[]}'));
  t.equal(g.ctx.get(LlmTokenUsage), undefined);
  const off = await rig(pool, { estimate_missing_usage: false });
  const o = await exchange(off, request('openai', true), () => sse(openaiStream({ includeUsage: false })));
  t.equal(o.ctx.get(LlmTokenUsage), undefined);
  t.equal(await metric(off.registry, 'pixiu_llm_prompt_tokens_total'), 0);
});

t.test('a client abort mid-stream: what went by is estimated, once', async (t) => {
  const r = await rig(pool);
  const text = Buffer.from(openaiStream({ includeUsage: false }));
  const { ctx } = await exchange(r, request('openai', true), () => ({ headers: { 'content-type': 'text/event-stream' }, body: chunksOf(text, 200) }), { abortAfterChunks: 4 });
  const u = ctx.get(LlmTokenUsage)!;
  t.equal(u.source, 'estimated');
  t.ok(u.completion > 0 && u.completion < (await tokens(TEXT, 'o200k_base')), `partial completion ${u.completion}`);
  await r.filter.onComplete(ctx);
  t.equal(await metric(r.registry, 'pixiu_llm_completion_tokens_total'), u.completion, 'onComplete twice still counts once');
});

t.test('a pool that cannot take the work: the request still completes, nothing counted', async (t) => {
  const closed = createWorkerPool({ threads: 1, maxQueue: 1 });
  await closed.close();
  const r = await rig(closed);
  const { ctx, client } = await exchange(r, request('openai', false), () => json(openaiUnary({ usage: false })));
  t.equal(client.toString(), openaiUnary({ usage: false }));
  t.equal(ctx.get(LlmTokenUsage), undefined);
});
