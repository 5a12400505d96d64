// usageFromBodyEnd reads a unary answer's usage from its end only when it is provably the top-level member.
import t from 'tap';
import { usageFromBodyEnd } from '../../../core/llm/usage-scan.js';

const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };

t.test('the top-level usage and model, also with members after the usage', async (t) => {
  const body = { id: 'x', model: 'm-1', choices: [{ message: { content: 'a "usage": {} in text' } }], usage, system_fingerprint: 'fp' };
  t.same(usageFromBodyEnd(Buffer.from(JSON.stringify(body)), 'openai'), { usage, model: 'm-1' });
  t.same(usageFromBodyEnd(Buffer.from(`${JSON.stringify({ usageMetadata: { promptTokenCount: 1 } })}\n`), 'gemini'), { usageMetadata: { promptTokenCount: 1 } });
});

t.test('declines what it cannot show: nested usage, usage far from the end, truncated bodies', async (t) => {
  t.equal(usageFromBodyEnd(Buffer.from(JSON.stringify({ model: 'm', data: { usage } })), 'openai'), undefined, 'nested');
  t.equal(usageFromBodyEnd(Buffer.from(JSON.stringify({ model: 'm', usage, text: 'x'.repeat(5000) })), 'openai'), undefined, 'far from the end');
  t.equal(usageFromBodyEnd(Buffer.from(JSON.stringify({ model: 'm', usage }).slice(0, -3)), 'openai'), undefined, 'truncated');
  t.equal(usageFromBodyEnd(Buffer.from('{"usage":null}'), 'openai'), undefined, 'null');
});

t.test('the model is the top-level member named exactly "model", its value decoded as JSON decodes it', async (t) => {
  const read = (head: string): unknown => usageFromBodyEnd(Buffer.from(`{${head},"usage":${JSON.stringify(usage)}}`), 'openai');
  t.same(read('"choices":[{"model":"inner"}],"model":"top"'), { usage, model: 'top' }, 'a nested "model" before the top-level one');
  t.same(read('"modex":"no","models":"no","mode":"no","model":"yes"'), { usage, model: 'yes' }, 'keys that only look alike');
  t.same(read('"model":"gpt-\\u00e9\\"q\\"","id":"x"'), { usage, model: 'gpt-é"q"' }, 'escapes');
  t.same(read('"model":"gpt-é-中"'), { usage, model: 'gpt-é-中' }, 'UTF-8 bytes');
  t.same(read('"model" : "spaced"'), { usage, model: 'spaced' }, 'whitespace around the colon');
  t.same(read('"model":7'), { usage }, 'not a string: no model');
  t.same(read('"id":"a\\"model\\":\\"fake\\"","model":"real"'), { usage, model: 'real' }, 'a "model" inside a string value');
});
