// PriceBook.modelKey: the book's own name for a model (a bounded vocabulary metrics label models by): the bundled
// entry for a dated snapshot, the override as written, any provider's entry when none is given, undefined otherwise.
import t from 'tap';
import { createPriceBook } from '../../../../core/llm/index.js';

t.test('modelKey names what the book knows, and nothing else', async (t) => {
  const book = createPriceBook({ overrides: { prices: [{ provider: 'vllm', model: 'llama-3.1-*', input_mtok: 0, output_mtok: 0 }] } });
  t.equal(book.modelKey('openai', 'gpt-4o-2024-08-06'), 'openai/gpt-4o', 'a dated snapshot: the bundled entry');
  t.equal(book.modelKey('anthropic', 'claude-sonnet-4-20250514'), 'anthropic/claude-sonnet-4-0');
  t.equal(book.modelKey(undefined, 'gemini-2.5-flash'), 'google/gemini-2.5-flash', 'no provider: whichever matches');
  t.equal(book.modelKey('vllm', 'llama-3.1-8b'), 'vllm/llama-3.1-*', 'an override, as written');
  for (const m of ['gpt-4o-random123', 'client-model-1-abc', '']) t.equal(book.modelKey('openai', m), undefined, `unknown: ${JSON.stringify(m)}`);
});
