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
