// Usage normalisation: one rule for every provider — input includes cache reads and writes, output includes
// reasoning — and reports merged field by field over a response, never added.
import t from 'tap';
import { UsageAccumulator, normalizeAnthropicUsage, normalizeAnyUsage, normalizeGeminiUsage, normalizeOpenAiUsage } from '../../../core/llm/index.js';

t.test('OpenAI: prompt_tokens already holds the cached tokens, completion_tokens the reasoning', async (t) => {
  const u = { prompt_tokens: 220, completion_tokens: 48, total_tokens: 268, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 10 } };
  t.same(normalizeOpenAiUsage(u), { input: 220, output: 48, cache_read: 64, cache_write: 0, reasoning: 10, total: 268 });
  t.same(
    normalizeOpenAiUsage({ input_tokens: 30, output_tokens: 5, input_tokens_details: { cached_tokens: 8 }, output_tokens_details: { reasoning_tokens: 2 } }),
    { input: 30, output: 5, cache_read: 8, cache_write: 0, reasoning: 2, total: 35 },
    'the Responses API names',
  );
});

t.test('Anthropic: input_tokens excludes cache reads and writes; they are added', async (t) => {
  t.same(normalizeAnthropicUsage({ input_tokens: 140, cache_creation_input_tokens: 16, cache_read_input_tokens: 64, output_tokens: 48 }), {
    input: 220,
    output: 48,
    cache_read: 64,
    cache_write: 16,
    reasoning: 0,
    total: 268,
  });
});

t.test('Gemini: promptTokenCount includes the cached tokens; thoughts are output', async (t) => {
  t.same(normalizeGeminiUsage({ promptTokenCount: 220, candidatesTokenCount: 36, totalTokenCount: 268, cachedContentTokenCount: 64, thoughtsTokenCount: 12 }), {
    input: 220,
    output: 48,
    cache_read: 64,
    cache_write: 0,
    reasoning: 12,
    total: 268,
  });
  t.same(normalizeGeminiUsage({ promptTokenCount: 10, toolUsePromptTokenCount: 5, candidatesTokenCount: 1 }).input, 15, 'tool-use prompt tokens');
});

t.test('unknown origin: recognised by Anthropic cache fields, else OpenAI names; bad values count as absent', async (t) => {
  t.equal(normalizeAnyUsage({ input_tokens: 1, cache_read_input_tokens: 2, output_tokens: 3 }).input, 3);
  t.equal(normalizeAnyUsage({ prompt_tokens: 4, completion_tokens: 1 }).total, 5);
  t.same(normalizeOpenAiUsage({ prompt_tokens: -1, completion_tokens: 'x', total_tokens: 2.9 }), { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, total: 2 });
});

t.test('UsageAccumulator merges cumulative reports (Anthropic stream, Gemini stream) without double counting', async (t) => {
  const a = new UsageAccumulator('anthropic');
  a.observe({ type: 'message_start', message: { model: 'claude', usage: { input_tokens: 140, cache_read_input_tokens: 64, cache_creation_input_tokens: 16, output_tokens: 1 } } });
  a.observe({ type: 'content_block_delta', delta: { text: 'usage' } });
  a.observe({ type: 'message_delta', usage: { output_tokens: 48 } });
  t.same(a.result(), { input: 220, output: 48, cache_read: 64, cache_write: 16, reasoning: 0, total: 268 });
  t.equal(a.model, 'claude');
  t.same(a.raw(), { input_tokens: 140, cache_read_input_tokens: 64, cache_creation_input_tokens: 16, output_tokens: 48 });

  const g = new UsageAccumulator('gemini');
  g.observe([{ usageMetadata: { promptTokenCount: 220, candidatesTokenCount: 8 } }, { usageMetadata: { promptTokenCount: 220, candidatesTokenCount: 36 }, modelVersion: 'gemini-x' }]);
  t.same(g.result(), { input: 220, output: 36, cache_read: 0, cache_write: 0, reasoning: 0, total: 256 });
  t.equal(g.model, 'gemini-x');

  const none = new UsageAccumulator('openai');
  none.observe({ usage: null, choices: [] });
  t.equal(none.found, false);
  t.equal(none.result(), undefined);
});
