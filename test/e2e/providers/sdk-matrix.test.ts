// Every client × provider pair through the REAL gateway (tokenizer + proxy): the official `openai` and
// `@anthropic-ai/sdk` clients (and plain fetch speaking Gemini) send a tool-calling conversation (images, parallel tool calls and their results in the
// history), unary and streamed, to endpoints served by the strict mock providers. The mock must accept the translated
// request, the client must read the translated answer, and the tokenizer must count the usage exactly once.
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import t from 'tap';
import { createSseParser } from '../../../core/index.js';
import { readJson } from '../../adapters/provider/helpers.js';
import { startGateway } from '../../helpers/gateway.js';
import type { MockProvider, MockReply } from '../../helpers/mock-providers/index.js';
import { PROVIDERS, accessLines, anthropicClient, gatewayYaml, metricValue, openAiClient, startMock, type Provider } from './helpers.js';

const reply: MockReply = {
  text: 'Bring an umbrella to Paris ☔',
  toolCalls: [{ name: 'get_forecast', args: { city: 'Paris', days: 3 } }, { name: 'get_forecast', args: { city: 'Tokyo', days: 3 } }],
  usage: { input: 200, output: 40, cached: 64 },
};
const ARGS = [{ city: 'Paris', days: 3 }, { city: 'Tokyo', days: 3 }];
/** Prompt tokens as each provider's usage means them: Anthropic's input_tokens exclude the 64 cached ones. */
const PROMPT: Record<Provider, number> = { openai: 200, 'azure-openai': 200, anthropic: 264, gemini: 200 };

type Seen = { text: string; args: unknown[]; finish: string | null; model: string };

async function viaOpenAi(base: string, stream: boolean): Promise<Seen> {
  const client = openAiClient(base);
  const body = readJson<OpenAI.ChatCompletionCreateParamsNonStreaming>('requests/openai.json');
  const res = stream ? await client.chat.completions.stream({ ...body, stream: true }).finalChatCompletion() : await client.chat.completions.create(body);
  const msg = res.choices[0]!.message;
  return {
    text: msg.content ?? '',
    args: (msg.tool_calls ?? []).map((c) => c.type === 'function' && JSON.parse(c.function.arguments)),
    finish: res.choices[0]!.finish_reason,
    model: res.model,
  };
}

async function viaAnthropic(base: string, stream: boolean): Promise<Seen> {
  const client = anthropicClient(base);
  const body = readJson<Anthropic.MessageCreateParamsNonStreaming>('requests/anthropic.json');
  const res = stream ? await client.messages.stream(body).finalMessage() : await client.messages.create(body);
  return {
    text: res.content.map((b) => (b.type === 'text' ? b.text : '')).join(''),
    args: res.content.flatMap((b) => (b.type === 'tool_use' ? [b.input] : [])),
    finish: res.stop_reason,
    model: res.model,
  };
}

/** Gemini has no official client among the test dependencies: plain fetch, reading SSE (`alt=sse`) or JSON. */
async function viaGemini(base: string, stream: boolean): Promise<Seen> {
  const path = `/v1beta/models/chat-default:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': 'client-key' }, body: JSON.stringify(readJson('requests/gemini.json')) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text}`);
  type GeminiChunk = { candidates?: Array<{ content?: { parts?: Array<{ text?: string; functionCall?: { args: unknown } }> }; finishReason?: string }>; modelVersion?: string };
  const chunks: GeminiChunk[] = stream ? createSseParser().feed(text).map((e) => JSON.parse(e.data) as GeminiChunk) : [JSON.parse(text) as GeminiChunk];
  const parts = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
  return {
    text: parts.map((p) => p.text ?? '').join(''),
    args: parts.filter((p) => p.functionCall).map((p) => p.functionCall!.args),
    finish: chunks.at(-1)?.candidates?.[0]?.finishReason ?? null,
    model: chunks.at(-1)?.modelVersion ?? '',
  };
}

const CLIENTS = { openai: viaOpenAi, anthropic: viaAnthropic, gemini: viaGemini };
const FINISH = { openai: 'tool_calls', anthropic: 'tool_use', gemini: 'STOP' };

t.test('every client × provider, unary and streamed, with parallel tool calls', async (t) => {
  const mocks = {} as Record<Provider, MockProvider>;
  for (const p of PROVIDERS) mocks[p] = await startMock(p, reply);
  const gw = await startGateway(
    gatewayYaml(
      PROVIDERS.map((p) => ({
        name: p,
        cluster: `c-${p}`,
        endpoints: [{ id: `ep-${p}`, provider: p, port: mocks[p].port, extra: { model_map: { 'chat-default': 'real-model' } } }],
      })),
    ),
  );
  t.teardown(async () => {
    await gw.close();
    for (const m of Object.values(mocks)) await m.close();
  });

  for (const provider of PROVIDERS) {
    const mock = mocks[provider];
    for (const client of ['openai', 'anthropic', 'gemini'] as const) {
      for (const stream of [false, true]) {
        const label = `${client} client → ${provider}, ${stream ? 'stream' : 'unary'}`;
        const seen = await CLIENTS[client](gw.url(provider), stream);
        t.same(mock.rejections.map((r) => r.rejection.body), [], `${label}: the strict mock accepted the request`);
        t.equal(seen.text, reply.text, `${label}: text`);
        t.same(seen.args, ARGS, `${label}: both parallel tool calls with their arguments`);
        t.equal(seen.finish, FINISH[client], `${label}: finish reason in the client's vocabulary`);
        // Gemini to Gemini passes through untouched: the upstream names its own model version.
        if (client !== 'gemini' || provider !== 'gemini') t.equal(seen.model, 'chat-default', `${label}: the model the client asked for is reported`);
        const last = mock.requests.at(-1)!;
        const sent = provider === 'gemini' || provider === 'azure-openai' ? last.path : String((last.body as { model?: unknown }).model);
        t.match(sent, 'real-model', `${label}: model_map applied upstream`);
        const access = accessLines(gw).at(-1)!;
        t.match(access, { status: 200, prompt_tokens: PROMPT[provider], completion_tokens: 40, usage_source: 'upstream' }, `${label}: usage counted from the client's bytes`);
      }
    }
    const raw = JSON.stringify(mock.requests.map((r) => r.headers));
    t.notMatch(raw, /client-key/, `${provider}: the client's key never went upstream`);
    const labels = { cluster: `c-${provider}`, source: 'upstream' };
    t.equal(await metricValue(gw, 'dgp_llm_tokens_total', { ...labels, direction: 'prompt' }), 6 * PROMPT[provider], `${provider}: prompt tokens counted exactly once per request`);
    t.equal(await metricValue(gw, 'dgp_llm_tokens_total', { ...labels, direction: 'completion' }), 6 * 40, `${provider}: completion tokens counted exactly once`);
    t.equal(await metricValue(gw, 'dgp_llm_tokens_total', { ...labels, direction: 'cached' }), 6 * 64, `${provider}: cached tokens`);
  }
  t.equal(mocks['azure-openai'].requests[0]!.query.get('api-version'), '2024-10-21', 'azure: api-version on the deployment path');
  t.equal(mocks['azure-openai'].requests[0]!.headers['api-key'], 'sk-test', 'azure: the api-key header');
  t.equal(mocks.anthropic.requests[0]!.headers['anthropic-version'], '2023-06-01', 'anthropic: a translated request carries anthropic-version');
});
