// LangChain's ChatOpenAI (Chat Completions and, with useResponsesApi, the Responses API) and ChatAnthropic against
// every upstream: invoke, a tool call bound with bindTools, and streams whose final usage_metadata carries the
// prompt's input tokens (ChatAnthropic reads them only from message_start) and the output tokens.
import { ChatAnthropic } from '@langchain/anthropic';
import type { AIMessageChunk } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import t from 'tap';
import { z } from 'zod';
import { HELLO, UPSTREAMS, WEATHER, startSdkGateway, type Upstream } from './helpers.js';

t.test('LangChain chat models through the gateway, to every upstream', async (t) => {
  const s = await startSdkGateway(t);
  const models: Record<string, (u: Upstream) => ChatOpenAI | ChatAnthropic> = {
    ChatOpenAI: (u) => new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'client-key', configuration: { baseURL: `${s.url(u)}/v1` }, maxRetries: 0, streamUsage: true }),
    'ChatOpenAI (useResponsesApi)': (u) => new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'client-key', configuration: { baseURL: `${s.url(u)}/v1` }, maxRetries: 0, useResponsesApi: true }),
    ChatAnthropic: (u) => new ChatAnthropic({ model: 'claude-sonnet-4-5', apiKey: 'client-key', anthropicApiUrl: s.url(u), maxRetries: 0 }),
  };
  for (const [name, make] of Object.entries(models)) {
    for (const u of UPSTREAMS) {
      const what = `${name} → ${u}`;
      const m = make(u);
      const answer = await m.invoke('Say hello');
      t.equal(answer.text, HELLO, `${what}: invoke`);
      t.match(answer.usage_metadata, { input_tokens: 12, output_tokens: 2, total_tokens: 14 }, `${what}: usage_metadata`);

      let text = '';
      let last: AIMessageChunk | undefined;
      for await (const chunk of await m.stream('Say hello')) {
        text += typeof chunk.content === 'string' ? chunk.content : chunk.content.map((c) => ('text' in c ? c.text : '')).join('');
        last = last === undefined ? chunk : last.concat(chunk);
      }
      t.equal(text, HELLO, `${what}: streamed text`);
      if (name !== 'ChatAnthropic') t.match(last?.usage_metadata, { input_tokens: 12, output_tokens: 2 }, `${what}: streamed usage_metadata`);
      else if (u === 'ant') {
        // Pass-through: exactly what ChatAnthropic reports against the provider itself (it adds message_start's
        // output_tokens: 1 to message_delta's count, as with the real API).
        let direct: AIMessageChunk | undefined;
        for await (const chunk of await new ChatAnthropic({ model: 'claude-sonnet-4-5', apiKey: 'sk-ant-test', anthropicApiUrl: s.mocks.ant.url, maxRetries: 0 }).stream('Say hello')) direct = direct === undefined ? chunk : direct.concat(chunk);
        t.same(last?.usage_metadata, direct?.usage_metadata, `${what}: the same usage_metadata as straight from the provider`);
      } else {
        // Translated: ChatAnthropic reads input tokens only in message_start, before the upstream reported any; the
        // gateway puts the prompt's local count there (never 0).
        t.ok((last?.usage_metadata?.input_tokens ?? 0) > 0, `${what}: input tokens in message_start (the local count: ${last?.usage_metadata?.input_tokens})`);
        t.equal(last?.usage_metadata?.output_tokens, 2, `${what}: output tokens`);
      }

      const withTool = m.bindTools([{ name: 'weather', description: 'Weather of a city', schema: z.object({ city: z.string() }) }], { tool_choice: 'weather' });
      const called = await withTool.invoke('The weather in Paris');
      t.match(called.tool_calls, [{ name: 'weather', args: WEATHER }], `${what}: a forced tool call comes back parsed`);
    }
  }
});
