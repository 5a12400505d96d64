// countChatTokens follows OpenAI's cookbook rules; the cookbook's example prompt is 129 tokens on gpt-4 and 124 on gpt-4o
// (the same numbers the OpenAI API reported in the cookbook).
import t from 'tap';
import { countChatTokens } from '../../../../core/workers/tasks/count-chat-tokens.js';

const cookbook = [
  { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  { role: 'system', name: 'example_user', content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
  { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];

t.test("the cookbook example matches OpenAI's counts", async (t) => {
  t.equal(countChatTokens({ messages: cookbook, model: 'gpt-4-0613' }).count, 129);
  t.equal(countChatTokens({ messages: cookbook, model: 'gpt-3.5-turbo-0125' }).count, 129);
  t.equal(countChatTokens({ messages: cookbook, model: 'gpt-4o' }).count, 124);
  t.equal(countChatTokens({ messages: cookbook, model: 'gpt-3.5-turbo-0301' }).count, 127, 'legacy 4 per message, -1 per name');
});

t.test('content parts, tool calls and tools', async (t) => {
  const plain = countChatTokens({ messages: [{ role: 'user', content: 'hello world' }], encoding: 'cl100k_base' });
  t.same(plain, { count: 3 + 1 + 2 + 3, encoding: 'cl100k_base', uncountedParts: 0 });
  const parts = countChatTokens({
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hello world' }, { type: 'image_url', image_url: { url: 'data:...' } }] }],
    encoding: 'cl100k_base',
  });
  t.same(parts, { count: 9, encoding: 'cl100k_base', uncountedParts: 1 });
  const tools = countChatTokens({
    messages: [{ role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'get', arguments: '{"a":1}' } }] }],
    tools: [{ type: 'function', function: { name: 'get' } }],
    encoding: 'cl100k_base',
  });
  t.ok(tools.count > 3 + 1 + 3, 'tool call name and arguments and the tools JSON are counted');
  t.throws(() => countChatTokens({ messages: 'x' as never }), { code: 'DGP_ERR_WORKER_TASK' });
});
