// The Vercel AI SDK against every upstream: its OpenAI provider's default model (the Responses API), its Chat model,
// its Anthropic and Google providers; generateText, streamText with usage, and generateObject in every direction
// (three client providers × three upstream providers).
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, streamText } from 'ai';
import t from 'tap';
import { z } from 'zod';
import { HELLO, UPSTREAMS, WEATHER, startSdkGateway, type Upstream } from './helpers.js';

const schema = z.object({ city: z.string(), temp: z.number() });

type ModelFor = (u: Upstream) => Parameters<typeof generateText>[0]['model'];

t.test('the Vercel AI SDK through the gateway, every client provider to every upstream', async (t) => {
  const s = await startSdkGateway(t);
  const clients: Record<string, ModelFor> = {
    'openai (Responses, the default)': (u) => createOpenAI({ baseURL: `${s.url(u)}/v1`, apiKey: 'client-key' })('gpt-4o-mini'),
    'openai.chat': (u) => createOpenAI({ baseURL: `${s.url(u)}/v1`, apiKey: 'client-key' }).chat('gpt-4o-mini'),
    anthropic: (u) => createAnthropic({ baseURL: `${s.url(u)}/v1`, apiKey: 'client-key' })('claude-sonnet-4-5'),
    google: (u) => createGoogleGenerativeAI({ baseURL: `${s.url(u)}/v1beta`, apiKey: 'client-key' })('gemini-2.5-flash'),
  };
  for (const [name, model] of Object.entries(clients)) {
    for (const u of UPSTREAMS) {
      const what = `${name} → ${u}`;
      const text = await generateText({ model: model(u), prompt: 'Say hello', maxRetries: 0 });
      t.equal(text.text, HELLO, `${what}: generateText`);
      t.equal(text.usage.inputTokens, 12, `${what}: input tokens`);
      t.equal(text.usage.outputTokens, 2, `${what}: output tokens`);

      const stream = streamText({ model: model(u), prompt: 'Say hello', maxRetries: 0, onError: () => undefined });
      let streamed = '';
      for await (const d of stream.textStream) streamed += d;
      t.equal(streamed, HELLO, `${what}: streamText`);
      t.equal((await stream.usage).outputTokens, 2, `${what}: streamed usage`);

      const obj = await generateObject({ model: model(u), schema, prompt: 'The weather in Paris', maxRetries: 0 });
      t.same(obj.object, WEATHER, `${what}: generateObject`);
    }
  }
});
