// The operator's override file: free self-hosted models, negotiated prices, matching order, limits, and every
// mistake in the file reported at load time as DGP_ERR_PRICING_OVERRIDES with the file, the line and the entry.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { isDgpError } from '../../../../core/index.js';
import { createPriceBook } from '../../../../core/llm/index.js';
import { fromAnthropic, fromOpenAI, usage } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'dgp-pricing-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const PRICES_YAML = `# prices for this deployment
prices:
  - provider: vllm
    model: "llama-3.1-*"
    input_mtok: 0
    output_mtok: 0
    context_window: 131072
    max_output: 8192
  - provider: openai
    model: gpt-4o-mini-2024-07-18
    input_mtok: 0.1
    output_mtok: 0.4
    cache_read_mtok: 0.025
  - provider: "*"
    model: "my-*"
    input_mtok: 1
    output_mtok: 2
  - provider: "*"
    model: my-special
    input_mtok: 5
    output_mtok: 5
`;
writeFileSync(join(dir, 'prices.yaml'), PRICES_YAML);
const book = createPriceBook({ overrides: 'prices.yaml', configDir: dir });

t.test('a self-hosted model priced at 0 is known and free', async (t) => {
  const p = book.price('vllm', 'llama-3.1-8b-instruct', usage(5_000, 1_000, { cache_read: 4_000 }));
  t.same(p, { nanos: 0, known: true, source: 'override', key: 'vllm/llama-3.1-*', breakdown: { input: 0, cache_read: 0, cache_write: 0, output: 0, request: 0 } });
  t.same(book.limits('vllm', 'Llama-3.1-70B-Instruct'), { context_window: 131072, max_output: 8192 }, 'glob and model match case-insensitively');
  t.equal(book.price('ollama', 'llama-3.1-8b-instruct', usage(1, 1)).known, false, 'the entry is for vllm only');
});

t.test('an override replaces a bundled price; limits it does not set come from the book', async (t) => {
  const u = fromOpenAI({ prompt_tokens: 10_000, completion_tokens: 200, prompt_tokens_details: { cached_tokens: 8_000 } });
  const p = book.price('openai', 'gpt-4o-mini-2024-07-18', u);
  // 2,000 × 0.1 + 8,000 × 0.025 + 200 × 0.4 = 200 + 200 + 80 micro-USD (the bundled price would give 1,020)
  t.equal(p.nanos, 480_000);
  t.equal(p.source, 'override');
  t.equal(p.key, 'openai/gpt-4o-mini-2024-07-18');
  t.same(book.limits('openai', 'gpt-4o-mini-2024-07-18'), { context_window: 128000 });
  t.equal(book.price('openai', 'gpt-4o-mini', u).source, 'genai-prices@0.1.8', 'other names of the model keep the bundled price');
});

t.test('an omitted cache rate charges cached tokens at the input rate, each token once (LiteLLM #40006)', async (t) => {
  const u = fromAnthropic({ input_tokens: 1_000, cache_read_input_tokens: 3_000, cache_creation_input_tokens: 2_000, output_tokens: 100 });
  const p = book.price('anthropic', 'my-claude-proxy', u);
  t.equal(p.nanos, 6_200_000, '(1,000 + 3,000 + 2,000) × 1 + 100 × 2 micro-USD');
  t.same(p.breakdown, { input: 1_000_000, cache_read: 3_000_000, cache_write: 2_000_000, output: 200_000, request: 0 });
});

t.test('an exact model name beats a glob listed before it; * matches any provider', async (t) => {
  t.equal(book.price('openai', 'my-special', usage(1_000, 0)).key, '*/my-special');
  t.equal(book.price('openai', 'my-special', usage(1_000, 0)).nanos, 5_000_000);
  t.equal(book.price('custom', 'my-model', usage(1_000, 0)).key, '*/my-*');
  t.equal(book.price('custom', 'mymodel', usage(1_000, 0)).known, false, '* is the only wildcard; the dash is literal');
});

t.test('the overrides can be given parsed, or as JSON', async (t) => {
  const parsed = createPriceBook({ overrides: { prices: [{ provider: 'ollama', model: 'qwen*', input_mtok: 0, output_mtok: 0 }] } });
  t.equal(parsed.price('ollama', 'qwen2.5:7b', usage(10, 10)).known, true);
  writeFileSync(join(dir, 'prices.json'), JSON.stringify({ prices: [{ provider: 'ollama', model: 'qwen*', input_mtok: 0.5, output_mtok: 0.5 }] }));
  t.equal(createPriceBook({ overrides: 'prices.json', configDir: dir }).price('ollama', 'qwen2.5:7b', usage(1_000, 1_000)).nanos, 1_000_000);
});

function loadError(t: Test, text: string, name = 'bad.yaml') {
  writeFileSync(join(dir, name), text);
  try {
    createPriceBook({ overrides: name, configDir: dir });
  } catch (err) {
    t.ok(isDgpError(err), 'a DgpError');
    return err as { code: string; message: string; details: { file: string; problems?: string[] } };
  }
  t.fail('the file was accepted');
  return { code: '', message: '', details: { file: '' } };
}

t.test('a bad entry: the error names the file and line, the entry and what to fix', async (t) => {
  const e = loadError(t, 'prices:\n  - provider: vllm\n    model: llama-*\n    input_mtok: 0\n    output_mtok: 0\n  - provider: openai\n    model: gpt-4o\n    input_mtok: -2\n    outputmtok: 8\n');
  t.equal(e.code, 'DGP_ERR_PRICING_OVERRIDES');
  t.equal(e.details.file, join(dir, 'bad.yaml'));
  t.match(e.message, `${join(dir, 'bad.yaml')}:8: prices[1] (provider openai, model gpt-4o) field input_mtok: must be >= 0`);
  t.match(e.message, `${join(dir, 'bad.yaml')}:9: prices[1] (provider openai, model gpt-4o): remove outputmtok; allowed fields: provider, model, input_mtok, output_mtok`);
  t.match(e.message, 'prices[1] (provider openai, model gpt-4o): add output_mtok (required)');
  t.equal(e.details.problems?.length, 3, 'every problem at once');
});

t.test('wrong types, a missing list, duplicates, bad YAML and a missing file are coded errors too', async (t) => {
  t.match(loadError(t, 'prices:\n  - provider: x\n    model: y\n    input_mtok: "0.15"\n    output_mtok: 1\n').message, ':4: prices[0] (provider x, model y) field input_mtok: must be a number');
  t.match(loadError(t, 'price:\n  - {}\n').message, 'the file: add prices (required)');
  const dup = loadError(t, 'prices:\n  - { provider: a, model: m, input_mtok: 1, output_mtok: 1 }\n  - { provider: A, model: M, input_mtok: 2, output_mtok: 2 }\n');
  t.match(dup.message, ':3: prices[1] (provider A, model M) repeats prices[0] and would never match');
  const yaml = loadError(t, 'prices:\n  - provider: a\n   model: [\n');
  t.equal(yaml.code, 'DGP_ERR_PRICING_OVERRIDES');
  t.match(yaml.message, /bad\.yaml:\d+: the price override file is not valid YAML\/JSON/);
  try {
    createPriceBook({ overrides: 'missing.yaml', configDir: dir });
    t.fail('accepted');
  } catch (err) {
    t.match(err, { code: 'DGP_ERR_PRICING_OVERRIDES', message: `${join(dir, 'missing.yaml')}: the price override file cannot be read` });
  }
});
