// Pixiu's TestExtractPromptAndModel (spec §6.4) and our additions (text parts, Anthropic system), and the prompt key
// (Appendix A: hex(sha256(model + "\x00" + prompt))).
import { createHash } from 'node:crypto';
import t from 'tap';
import { extractPromptAndModel, keyMaterial, promptFromJson, promptKey } from '../../../../filters/ai/kvcache/extract.js';
import { hash } from '../../../../core/workers/tasks/hash.js';
import { stubWorkers } from '../../../helpers/factory-context.js';

t.test('TestExtractPromptAndModel', async (t) => {
  t.same(extractPromptAndModel('{"model":"m1","prompt":"hello"}'), { prompt: 'hello', model: 'm1' });
  t.same(extractPromptAndModel('{"prompt":["a","b"]}'), { prompt: 'a\nb', model: '' });
  t.same(extractPromptAndModel(Buffer.from('{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"there"}]}')), { prompt: 'hi\nthere', model: '' });
  t.throws(() => extractPromptAndModel('{not json'), 'invalid JSON is an error');
  t.same(extractPromptAndModel(''), { prompt: '', model: '' }, 'an empty body gives ("", "")');
  t.throws(() => extractPromptAndModel('[1,2]'), 'the body must be an object');
});

t.test('Pixiu details: non-string prompt elements skipped, trimming, model only when a string', async (t) => {
  t.same(promptFromJson({ model: 7, prompt: ['a', 1, 'b', null] }), { prompt: 'a\nb', model: '' });
  t.same(promptFromJson({ prompt: '  padded \n' }), { prompt: 'padded', model: '' });
  t.same(promptFromJson({ prompt: 5, messages: [{ role: 'user', content: 'from messages' }] }), { prompt: 'from messages', model: '' });
});

t.test('beyond Pixiu: text parts of array contents and an Anthropic system prompt', async (t) => {
  const body = {
    model: 'claude-x',
    system: [{ type: 'text', text: 'You are terse.' }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'describe' }, { type: 'image_url', image_url: { url: 'data:...' } }] },
      { role: 'assistant', content: null },
    ],
  };
  t.same(promptFromJson(body), { prompt: 'You are terse.\ndescribe', model: 'claude-x' });
  t.same(promptFromJson({ system: 'sys', messages: [{ role: 'user', content: 'q' }] }).prompt, 'sys\nq');
});

t.test('the prompt key: Pixiu golden form for prompts; chat bodies key on their messages', async (t) => {
  const workers = stubWorkers({ hash: (i) => hash(i as { text: string }) });
  const info = { model: 'm', prompt: 'hello' };
  const expected = createHash('sha256').update('m\x00hello').digest('hex');
  t.equal(await promptKey(keyMaterial({ model: 'm', prompt: 'hello' }, info), workers), expected);
  const a = keyMaterial({ messages: [{ role: 'user', content: 'a\nb' }] }, { model: 'm', prompt: 'a\nb' });
  const b = keyMaterial({ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }, { model: 'm', prompt: 'a\nb' });
  t.not(a, b, 'two chats with the same joined text but different turns get different keys');
  const big = `m\x00${'x'.repeat(40_000)}`;
  t.equal(await promptKey(big, workers), createHash('sha256').update(big).digest('hex'), 'large material hashed in the worker pool, same digest');
  t.equal(await promptKey(big, stubWorkers({})), createHash('sha256').update(big).digest('hex'), 'a failing pool falls back to hashing inline');
});
