// Translated ids carry the client API's prefix, and tool-call ids round-trip: the official `openai` client reads
// `chatcmpl-…` / `call_…` and `@anthropic-ai/sdk` reads `msg_…` / `toolu_…` from every provider (unary and streamed),
// then sends the ids it got back with the tool results; the strict mock upstream (which checks that each result answers
// a call of the previous turn, Anthropic's id pattern, Gemini 3's thought signatures) must accept the second turn.
import type Anthropic from '@anthropic-ai/sdk';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import type { MockProvider } from '../../helpers/mock-providers/index.js';
import { anthropicClient, gatewayYaml, openAiClient, startMock } from './helpers.js';

const PROVIDERS = ['openai', 'anthropic', 'gemini'] as const;
const tool = { name: 'get_forecast', description: 'Forecast', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

t.test('ids in the client prefix, round-tripping to every provider', async (t) => {
  const mocks: Record<string, MockProvider> = {};
  for (const p of PROVIDERS) {
    mocks[p] = await startMock(p, (req) => {
      // Second turn (the history holds tool results): a text answer; first turn: two tool calls.
      const raw = req.raw.toString();
      const answered = raw.includes('"tool_result"') || raw.includes('"role":"tool"') || raw.includes('"functionResponse"');
      return answered ? { text: 'Sunny.' } : { toolCalls: [{ name: 'get_forecast', args: { city: 'Paris' } }, { name: 'get_forecast', args: { city: 'Tokyo' } }] };
    });
  }
  const gw = await startGateway(gatewayYaml(PROVIDERS.map((p) => ({ name: p, cluster: p, endpoints: [{ id: p, provider: p, port: mocks[p]!.port }] }))));
  t.teardown(async () => (await gw.close(), await Promise.all(Object.values(mocks).map((m) => m.close()))));

  for (const p of PROVIDERS) {
    t.test(`OpenAI client → ${p}`, async (t) => {
      const client = openAiClient(gw.url(p));
      const messages: Parameters<typeof client.chat.completions.create>[0]['messages'] = [{ role: 'user', content: 'Weather in Paris and Tokyo?' }];
      const ask = { model: 'm', messages, tools: [{ type: 'function' as const, function: tool }] };
      const first = await client.chat.completions.create(ask);
      t.match(first.id, /^chatcmpl-/, 'response id');
      const calls = first.choices[0]!.message.tool_calls ?? [];
      t.equal(calls.length, 2);
      for (const c of calls) t.match(c.id, /^call_/, `tool-call id ${c.id}`);
      const streamed = await client.chat.completions.stream({ ...ask, stream: true }).finalChatCompletion();
      t.match(streamed.id, /^chatcmpl-/, 'streamed response id');
      for (const c of streamed.choices[0]!.message.tool_calls ?? []) t.match(c.id, /^call_/, `streamed tool-call id ${c.id}`);

      const second = await client.chat.completions.create({
        ...ask,
        messages: [...messages, first.choices[0]!.message, ...calls.map((c) => ({ role: 'tool' as const, tool_call_id: c.id, content: '{"sky":"clear"}' }))],
      });
      t.equal(second.choices[0]!.message.content, 'Sunny.', 'the upstream accepted the ids sent back');
      t.same(mocks[p]!.rejections.map((r) => r.rejection.body), [], 'no rejection');
    });

    t.test(`Anthropic client → ${p}`, async (t) => {
      const client = anthropicClient(gw.url(p));
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris and Tokyo?' }];
      const ask = { model: 'm', max_tokens: 100, messages, tools: [{ name: tool.name, description: tool.description, input_schema: tool.parameters as Anthropic.Tool.InputSchema }] };
      const first = await client.messages.create(ask);
      t.match(first.id, /^msg_/, 'message id');
      const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      t.equal(uses.length, 2);
      for (const u of uses) t.match(u.id, /^toolu_/, `tool_use id ${u.id}`);
      const streamed = await client.messages.stream(ask).finalMessage();
      t.match(streamed.id, /^msg_/, 'streamed message id');
      for (const b of streamed.content) if (b.type === 'tool_use') t.match(b.id, /^toolu_/, `streamed tool_use id ${b.id}`);

      const second = await client.messages.create({
        ...ask,
        messages: [...messages, { role: 'assistant', content: first.content }, { role: 'user', content: uses.map((u) => ({ type: 'tool_result' as const, tool_use_id: u.id, content: '{"sky":"clear"}' })) }],
      });
      t.same(second.content.map((b) => (b.type === 'text' ? b.text : b.type)), ['Sunny.'], 'the upstream accepted the ids sent back');
      t.same(mocks[p]!.rejections.map((r) => r.rejection.body), [], 'no rejection');
    });
  }
});
