// Money is integer nano-USD, computed exactly and rounded half-up once per request; unknown models cost 0 and say
// so; formatUsd prints nano-USD without float drift.
import t from 'tap';
import { BUNDLED_SOURCE, createPriceBook, formatUsd } from '../../../../core/llm/index.js';
import { usage } from './fixtures.js';

// $0.0001 per million tokens = 0.1 nano-USD per token; $0.0375 per million = 37.5 nano-USD per token.
const book = createPriceBook({
  overrides: {
    prices: [
      { provider: 'local', model: 'tiny', input_mtok: 0.0001, output_mtok: 0.0001 },
      { provider: 'local', model: 'half', input_mtok: 1, cache_read_mtok: 0.0375, output_mtok: 1 },
    ],
  },
});

t.test('one request is rounded half-up once, from the exact cost', async (t) => {
  t.equal(book.price('local', 'tiny', usage(4, 0)).nanos, 0, '0.4 nano-USD rounds down');
  t.equal(book.price('local', 'tiny', usage(5, 0)).nanos, 1, '0.5 nano-USD rounds up');
  t.equal(book.price('local', 'tiny', usage(3, 2)).nanos, 1, 'input and output are summed before rounding (0.3 + 0.2)');
  // 9 cached tokens × 37.5 = 337.5 nano-USD exactly; float arithmetic (0.0375 × 9 / 1e6 × 1e9 = 337.49999999999994)
  // would round it down.
  const half = book.price('local', 'half', usage(9, 0, { cache_read: 9 }));
  t.equal(half.nanos, 338);
  t.equal(half.breakdown.cache_read, 338);
});

t.test('many tiny requests: each is rounded on its own, so the sum differs from the exact aggregate by at most 0.5 nano-USD a request', async (t) => {
  const one = book.price('local', 'tiny', usage(1, 0)).nanos;
  t.equal(one, 0, 'a 1-token request costs 0.1 nano-USD: recorded as 0');
  let sum = 0;
  for (let i = 0; i < 10_000; i++) sum += book.price('local', 'tiny', usage(1, 0)).nanos;
  const aggregate = book.price('local', 'tiny', usage(10_000, 0)).nanos;
  t.equal(aggregate, 1_000, '10,000 tokens in one request: 1,000 nano-USD');
  t.equal(sum, 0, '10,000 one-token requests: 0 (documented: $0.0000005 per request at most)');
  t.ok(Math.abs(aggregate - sum) <= 10_000 * 0.5);
});

t.test('breakdown parts are each rounded; the total is the rounded exact sum', async (t) => {
  const p = book.price('local', 'tiny', usage(3, 2));
  t.same(p.breakdown, { input: 0, cache_read: 0, cache_write: 0, output: 0, request: 0 });
  t.equal(p.nanos, 1);
});

t.test('an unknown model costs 0, is marked unknown, and has no limits', async (t) => {
  const p = book.price('openai', 'gpt-does-not-exist-9000', usage(1_000, 1_000));
  t.same(p, { nanos: 0, known: false, source: 'none', key: '', breakdown: { input: 0, cache_read: 0, cache_write: 0, output: 0, request: 0 } });
  t.equal(book.price('vllm', 'meta-llama/Llama-3.1-8B-Instruct', usage(1, 1)).known, false, 'self-hosted servers are never priced from the book');
  t.equal(book.price('no-such-provider', 'gpt-4o', usage(1, 1)).known, false, 'a model is not guessed from another provider');
  t.same(book.limits('openai', 'gpt-does-not-exist-9000'), {});
  t.same(book.limits('anthropic', 'claude-sonnet-4-5-20250929'), { context_window: 200000 });
});

t.test('a malformed usage is a bug and throws, known model or not', async (t) => {
  t.throws(() => book.price('local', 'tiny', usage(-1, 0)), RangeError);
  t.throws(() => book.price('openai', 'nope', usage(1.5, 0)), RangeError);
});

t.test('cached tokens above the prompt count are charged as cache reads only, never below zero', async (t) => {
  const p = book.price('local', 'half', usage(8, 0, { cache_read: 16 }));
  t.equal(p.breakdown.input, 0);
  t.equal(p.nanos, 600, '16 × 37.5 nano-USD');
});

t.test('lookups are cached per (provider, model) and stay right when the cache starts over', async (t) => {
  const small = createPriceBook({ cacheSize: 2 });
  const u = usage(1_000_000, 0);
  const first = small.price('openai', 'gpt-4o-mini', u);
  small.price('anthropic', 'claude-sonnet-4-5', u);
  small.price('gemini', 'gemini-2.5-flash', u);
  t.same(small.price('openai', 'gpt-4o-mini', u), first);
  t.equal(first.nanos, 150_000_000, '1M tokens × $0.15 per million');
});

t.test('the bundled book is the pinned package, read offline', async (t) => {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
  t.match(pkg.dependencies['@pydantic/genai-prices'], /^\d+\.\d+\.\d+$/, 'pinned to an exact version');
  t.equal(BUNDLED_SOURCE, `genai-prices@${pkg.dependencies['@pydantic/genai-prices']}`);
  const realFetch = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = (async () => {
    calls++;
    throw new Error('no network');
  }) as typeof fetch;
  t.teardown(() => {
    globalThis.fetch = realFetch;
  });
  const b = createPriceBook();
  b.price('openai', 'gpt-4o', usage(10, 10));
  await new Promise((r) => setImmediate(r));
  t.equal(calls, 0);
});

t.test('formatUsd: nano-USD as decimal text, integer arithmetic only', async (t) => {
  t.equal(formatUsd(0), '0');
  t.equal(formatUsd(1), '0.000000001');
  t.equal(formatUsd(7_250_000), '0.00725');
  t.equal(formatUsd(1_500_000_000), '1.5');
  t.equal(formatUsd(2_000_000_000), '2');
  t.equal(formatUsd(-338), '-0.000000338');
  t.equal(formatUsd(Number.MAX_SAFE_INTEGER), '9007199.254740991');
  t.equal(formatUsd(123_456_789_012_345_678_901n), '123456789012.345678901', 'a BigInt ledger total');
  t.throws(() => formatUsd(0.5), RangeError);
});
