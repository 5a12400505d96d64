// Cost of real provider usage payloads against the bundled book, each expected value computed by hand from the
// book's per-million prices (BOOK in fixtures.ts). The LiteLLM double-counting bugs are the fixtures.
import t from 'tap';
import { calcPrice } from '@pydantic/genai-prices';
import { bundledProviderId, createPriceBook } from '../../../../core/llm/index.js';
import { BOOK, fromAnthropic, fromGemini, fromOpenAI, usage } from './fixtures.js';

const book = createPriceBook();
/** USD per million tokens × tokens = micro-USD; × 1000 = nano-USD. */
const nano = (microUsd: number) => Math.round(microUsd * 1000);

t.test('the bundled book still holds the prices these hand computations use', async (t) => {
  for (const [key, prices] of Object.entries(BOOK)) {
    const [label, model] = key.split('/', 2) as [string, string];
    const found = calcPrice({}, key.slice(label.length + 1), { providerId: bundledProviderId(label)! });
    t.ok(found, `${key} is in the book (${model})`);
    t.match(found?.model_price, prices, `${key} prices`);
  }
});

t.test('OpenAI: cached prompt tokens are priced at the cache-read rate (LiteLLM #6215)', async (t) => {
  const u = fromOpenAI({ prompt_tokens: 10_000, completion_tokens: 200, prompt_tokens_details: { cached_tokens: 8_000 } });
  const p = book.price('openai', 'gpt-4o-mini-2024-07-18', u);
  // 2,000 × 0.15 + 8,000 × 0.075 + 200 × 0.6 = 300 + 600 + 120 micro-USD
  t.equal(p.nanos, 1_020_000);
  t.same(p.breakdown, { input: 300_000, cache_read: 600_000, cache_write: 0, output: 120_000, request: 0 });
  t.not(p.nanos, nano(10_000 * 0.15 + 200 * 0.6), 'not every prompt token at the full input rate');
  t.equal(p.known, true);
  t.equal(p.source, 'genai-prices@0.1.8');
  t.equal(p.key, 'openai/gpt-4o-mini');
});

t.test('OpenAI-family: reasoning tokens are part of completion_tokens and never added again (twentyhq review)', async (t) => {
  const u = fromOpenAI({ prompt_tokens: 100, completion_tokens: 1_000, completion_tokens_details: { reasoning_tokens: 800 } });
  const p = book.price('openai', 'o3-mini', u);
  t.equal(p.nanos, 4_510_000, '100 × 1.1 + 1,000 × 4.4 micro-USD');
  t.not(p.nanos, nano(100 * 1.1 + 1_800 * 4.4), 'not 1,800 output tokens');
  t.equal(p.breakdown.output, 4_400_000);
});

t.test('a separate reasoning rate prices the reasoning part of the output, once (Perplexity sonar-deep-research)', async (t) => {
  const p = book.price('perplexity', 'sonar-deep-research', usage(100, 1_000, { reasoning: 800 }));
  t.equal(p.nanos, 4_200_000, '100 × 2 + 200 × 8 + 800 × 3 micro-USD');
});

t.test('a per-request fee is charged once per request (Perplexity sonar: $12 per thousand requests)', async (t) => {
  const p = book.price('perplexity', 'sonar', usage(100, 100));
  t.equal(p.nanos, 12_200_000, '100 × 1 + 100 × 1 micro-USD + $0.012');
  t.equal(p.breakdown.request, 12_000_000);
});

t.test('Anthropic: cache read and cache creation each at its own rate, never double-counted (LiteLLM #11364, #40006)', async (t) => {
  const u = fromAnthropic({ input_tokens: 1_000, cache_read_input_tokens: 20_000, cache_creation_input_tokens: 5_000, output_tokens: 500 });
  t.same(u, usage(26_000, 500, { cache_read: 20_000, cache_write: 5_000 }), 'input holds both cache partitions');
  const p = book.price('anthropic', 'claude-sonnet-4-5-20250929', u);
  // 1,000 × 3 + 20,000 × 0.3 + 5,000 × 3.75 + 500 × 15 micro-USD
  t.same(p.breakdown, { input: 3_000_000, cache_read: 6_000_000, cache_write: 18_750_000, output: 7_500_000, request: 0 });
  t.equal(p.nanos, 35_250_000);
  t.not(p.nanos, nano(26_000 * 3 + 20_000 * 0.3 + 5_000 * 3.75 + 500 * 15), 'cache tokens are not also charged as input');
  t.equal(p.key, 'anthropic/claude-sonnet-4-5');
});

t.test('Anthropic: above 200k prompt tokens every part moves to the long-context tier (cache reads counted in the prompt)', async (t) => {
  const u = fromAnthropic({ input_tokens: 150_000, cache_read_input_tokens: 60_000, output_tokens: 1_000 });
  const p = book.price('anthropic', 'claude-sonnet-4-5-20250929', u);
  t.equal(p.nanos, 958_500_000, '150,000 × 6 + 60,000 × 0.6 + 1,000 × 22.5 micro-USD');
});

t.test('Gemini: a cache hit is not charged twice (LiteLLM #14849, the issue\'s own usage)', async (t) => {
  const u = fromGemini({ promptTokenCount: 262_960, cachedContentTokenCount: 257_955, candidatesTokenCount: 1_744 });
  const p = book.price('gemini', 'gemini-2.5-pro', u);
  // 262,960 > 200k: long-context tier. 5,005 × 2.5 + 257,955 × 0.25 + 1,744 × 15 micro-USD
  t.same(p.breakdown, { input: 12_512_500, cache_read: 64_488_750, cache_write: 0, output: 26_160_000, request: 0 });
  t.equal(p.nanos, 103_161_250);
  t.not(p.nanos, nano(262_960 * 2.5 + 257_955 * 0.25 + 1_744 * 15), 'the cached part is not also charged as prompt');
  t.equal(p.key, 'google/gemini-2.5-pro');

  // With the Vertex rates the issue recomputed by hand (1.25 / 0.625 / 10 flat), its expected $0.1849 comes out.
  const vertex = createPriceBook({ overrides: { prices: [{ provider: 'gemini', model: 'gemini-2.5-pro', input_mtok: 1.25, cache_read_mtok: 0.625, output_mtok: 10 }] } });
  t.equal(vertex.price('gemini', 'gemini-2.5-pro', u).nanos, 184_918_125, '5,005 × 1.25 + 257,955 × 0.625 + 1,744 × 10 micro-USD');
});

t.test('Gemini: thoughts are output tokens, priced once at the output rate', async (t) => {
  const u = fromGemini({ promptTokenCount: 10_000, cachedContentTokenCount: 6_000, candidatesTokenCount: 300, thoughtsTokenCount: 700 });
  t.equal(book.price('gemini', 'gemini-2.5-flash', u).nanos, 3_880_000, '4,000 × 0.3 + 6,000 × 0.03 + 1,000 × 2.5 micro-USD');
});

t.test('xAI: text_tokens include the cached tokens; they are not priced twice (LiteLLM #14874)', async (t) => {
  const u = fromOpenAI({ prompt_tokens: 1_000, completion_tokens: 100, prompt_tokens_details: { text_tokens: 1_000, cached_tokens: 600 } });
  const p = book.price('xai', 'grok-3-mini', u);
  t.equal(p.nanos, 215_000, '400 × 0.3 + 600 × 0.075 + 100 × 0.5 micro-USD');
  t.not(p.nanos, nano(1_000 * 0.3 + 600 * 0.075 + 100 * 0.5));
});

t.test('DeepSeek: the price in force at the request time (off-peak discount outside 00:30–16:30 UTC)', async (t) => {
  const u = fromOpenAI({ prompt_tokens: 1_000, completion_tokens: 500, prompt_tokens_details: { cached_tokens: 200 } });
  let now = new Date('2026-12-06T10:00:00Z');
  const b = createPriceBook({ now: () => now });
  const peak = b.price('deepseek', 'deepseek-chat', u);
  t.equal(peak.nanos, 780_000, '800 × 0.27 + 200 × 0.07 + 500 × 1.1 micro-USD');
  t.equal(peak.key, 'deepseek/deepseek-chat@00:30:00Z-16:30:00Z');
  now = new Date('2026-12-06T20:00:00Z');
  const offPeak = b.price('deepseek', 'deepseek-chat', u);
  t.equal(offPeak.nanos, 390_000, '800 × 0.135 + 200 × 0.035 + 500 × 0.55 micro-USD');
  t.equal(offPeak.key, 'deepseek/deepseek-chat');
});

t.test('our provider labels map to the book: azure-openai, gemini, openrouter', async (t) => {
  const u = fromOpenAI({ prompt_tokens: 10_000, completion_tokens: 200, prompt_tokens_details: { cached_tokens: 8_000 } });
  t.equal(book.price('azure-openai', 'gpt-4o-mini', u).nanos, 1_020_000);
  t.equal(book.price('azure-openai', 'gpt-4o-mini', u).key, 'azure/gpt-4o-mini');
  t.equal(book.price('openrouter', 'openai/gpt-4o-mini', u).nanos, 1_020_000);
  t.equal(bundledProviderId('gemini'), 'google');
  t.equal(bundledProviderId('vllm'), null);
  t.equal(bundledProviderId('groq'), 'groq', 'unlisted labels are genai-prices ids');
});

t.test('agrees with genai-prices\' own float calcPrice to within 1 nano-USD', async (t) => {
  const at = new Date('2026-12-06T10:00:00Z');
  const b = createPriceBook({ now: () => at });
  const models: Array<[string, string]> = [
    ['openai', 'gpt-4o-mini-2024-07-18'], ['openai', 'gpt-5'], ['anthropic', 'claude-sonnet-4-5-20250929'], ['anthropic', 'claude-3-5-haiku-20241022'],
    ['gemini', 'gemini-2.5-pro'], ['gemini', 'gemini-2.5-flash'], ['deepseek', 'deepseek-chat'], ['xai', 'grok-4'], ['mistral', 'mistral-large-latest'],
  ];
  const shapes = [usage(1_234, 567), usage(250_001, 3_333, { cache_read: 100_000, cache_write: 7_777 }), usage(9_999, 12_345, { cache_read: 9_000, reasoning: 12_000 })];
  for (const [label, model] of models) {
    for (const u of shapes) {
      const ours = b.price(label, model, u);
      const theirs = calcPrice(
        { input_tokens: u.input, cache_read_tokens: u.cache_read, cache_write_tokens: u.cache_write, output_tokens: u.output },
        model,
        { providerId: bundledProviderId(label)!, timestamp: at },
      );
      t.ok(ours.known && theirs, `${label}/${model} is priced`);
      if (!theirs) continue;
      t.ok(Math.abs(ours.nanos - theirs.total_price * 1e9) <= 1, `${label}/${model} ${JSON.stringify(u)}: ${ours.nanos} vs ${theirs.total_price * 1e9}`);
    }
  }
});
