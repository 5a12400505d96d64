// Encoding choice from model names, tiktoken counts, special tokens as text, and Hugging Face tokenizer.json files.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { chooseEncoding, lookupModel } from '../../../../core/workers/tasks/encodings.js';
import { tokenize } from '../../../../core/workers/tasks/tokenize.js';

const hfFile = fileURLToPath(new URL('../fixtures/tokenizer.json', import.meta.url));

t.test('model → encoding: longest prefix, provider prefix stripped, fallback', async (t) => {
  t.equal(chooseEncoding({ model: 'gpt-4o-mini' }), 'o200k_base');
  t.equal(chooseEncoding({ model: 'gpt-4-turbo' }), 'cl100k_base');
  t.equal(chooseEncoding({ model: 'openai/GPT-4o' }), 'o200k_base');
  t.equal(chooseEncoding({ model: 'gpt-3.5-turbo' }), 'cl100k_base');
  t.equal(chooseEncoding({ model: 'o3-mini' }), 'o200k_base');
  t.equal(chooseEncoding({ model: 'claude-sonnet-4' }), 'o200k_base', 'unknown models use the fallback');
  t.equal(chooseEncoding({ model: 'claude-sonnet-4', fallbackEncoding: 'cl100k_base' }), 'cl100k_base');
  t.equal(chooseEncoding({ model: 'gpt-4o', encoding: 'cl100k_base' }), 'cl100k_base', 'an explicit encoding wins');
  t.equal(lookupModel({ 'llama-3': 'a', 'llama-3.1*': 'b' }, 'meta/Llama-3.1-8B'), 'b');
  t.equal(lookupModel({ 'llama-3': 'a' }, 'qwen'), undefined);
});

t.test('tiktoken counts match the reference tokenizer', async (t) => {
  t.same(tokenize({ text: 'hello world', encoding: 'cl100k_base', ids: true }), { count: 2, encoding: 'cl100k_base', ids: [15339, 1917] });
  t.equal(tokenize({ text: 'hello world, this is a test', model: 'gpt-4o' }).count, 7);
  t.equal(tokenize({ text: '', model: 'gpt-4o' }).count, 0);
  t.equal(tokenize({ text: 'The quick brown fox jumps over the lazy dog.', encoding: 'o200k_base' }).count, 10);
  const special = tokenize({ text: 'a <|endoftext|> b', encoding: 'cl100k_base' });
  t.ok(special.count > 3, 'special-token text in user content is counted as text, not refused');
});

t.test('a Hugging Face tokenizer.json is used when the encoding is a .json path', async (t) => {
  const r = tokenize({ text: 'Hello, World!', encoding: hfFile, ids: true });
  t.same(r, { count: 4, encoding: hfFile, ids: [11, 16, 14, 17] });
  t.throws(() => tokenize({ text: 'x', encoding: '/nonexistent/tokenizer.json' }), { code: 'DGP_ERR_WORKER_ENCODING' });
  t.throws(() => tokenize({ text: 'x', encoding: 'nope_base' }), { code: 'DGP_ERR_WORKER_ENCODING' });
});
