// Every client API × provider through the codecs and the strict mock providers: the official `openai` and
// `@anthropic-ai/sdk` clients (and plain fetch for Gemini) send the rich tool-calling conversation of
// test/fixtures/providers/requests, unary and streamed; the mock must accept the translated request and the client
// must read the translated answer. Provider errors must reach each SDK as its own error class with Retry-After.
import t from 'tap';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createSseParser } from '../../../core/index.js';
import { startMockAnthropic, startMockGemini, startMockOpenAi, type MockProvider, type MockReply } from '../../helpers/mock-providers/index.js';
import { CLIENT_APIS, PROVIDERS, readJson } from './helpers.js';
import { startTranslatingServer } from './translating-server.js';

const reply: MockReply = {
  text: 'Bring an umbrella to Paris ☔',
  toolCalls: [{ name: 'get_forecast', args: { city: 'Paris', days: 3 } }, { name: 'get_forecast', args: { city: 'Tokyo', days: 3 } }],
  usage: { input: 200, output: 40, cached: 64 },
};
const KEYS: Record<string, string> = { openai: 'sk-test', 'azure-openai': 'sk-test', anthropic: 'sk-ant-test', gemini: 'gm-test' };
const ARGS = [{ city: 'Paris', days: 3 }, { city: 'Tokyo', days: 3 }];

function startMock(provider: string, script: MockReply): Promise<MockProvider> {
  if (provider === 'anthropic') return startMockAnthropic({ reply: script });
  if (provider === 'gemini') return startMockGemini({ reply: script, requireThoughtSignatures: true, signature: 'CiQBsig+sig/8=' });
  return startMockOpenAi({ reply: script, azure: provider === 'azure-openai' });
}

/** Text, tool-call arguments and finish of whatever the client received, per API. */
type Seen = { text: string; args: unknown[]; finish: string | null; model: string };

async function viaOpenAi(base: string, stream: boolean): Promise<Seen> {
  const client = new OpenAI({ apiKey: 'client-key', baseURL: `${base}/v1`, maxRetries: 0 });
  const body = readJson<OpenAI.ChatCompletionCreateParamsNonStreaming>('requests/openai.json');
  const res = stream
    ? await client.chat.completions.stream({ ...body, stream: true, stream_options: { include_usage: true } }).finalChatCompletion()
    : await client.chat.completions.create(body);
  const msg = res.choices[0]!.message;
  return { text: msg.content ?? '', args: (msg.tool_calls ?? []).map((c) => c.type === 'function' && JSON.parse(c.function.arguments)), finish: res.choices[0]!.finish_reason, model: res.model };
}

async function viaAnthropic(base: string, stream: boolean): Promise<Seen> {
  const client = new Anthropic({ apiKey: 'client-key', baseURL: base, maxRetries: 0 });
  const body = readJson<Anthropic.MessageCreateParamsNonStreaming>('requests/anthropic.json');
  const res = stream ? await client.messages.stream(body).finalMessage() : await client.messages.create(body);
  return {
    text: res.content.map((b) => (b.type === 'text' ? b.text : '')).join(''),
    args: res.content.flatMap((b) => (b.type === 'tool_use' ? [b.input] : [])),
    finish: res.stop_reason,
    model: res.model,
  };
}

async function viaGemini(base: string, stream: boolean): Promise<Seen> {
  const path = `/v1beta/models/chat-default:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': 'client-key' }, body: JSON.stringify(readJson('requests/gemini.json')) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text}`);
  const chunks: any[] = stream ? createSseParser().feed(text).map((e) => JSON.parse(e.data)) : [JSON.parse(text)];
  const parts = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
  return {
    text: parts.map((p: any) => p.text ?? '').join(''),
    args: parts.filter((p: any) => p.functionCall).map((p: any) => p.functionCall.args),
    finish: chunks.at(-1)?.candidates?.[0]?.finishReason ?? null,
    model: chunks.at(-1)?.modelVersion,
  };
}

const CLIENTS = { openai: viaOpenAi, anthropic: viaAnthropic, gemini: viaGemini };
const FINISH = { openai: 'tool_calls', anthropic: 'tool_use', gemini: 'STOP' };

for (const provider of PROVIDERS) {
  t.test(`clients → ${provider}`, async (t) => {
    const mock = await startMock(provider, reply);
    const gw = await startTranslatingServer({ upstreamUrl: mock.url, llmMeta: { provider, api_key: KEYS[provider]!, model_map: { 'chat-default': 'real-model' } } });
    t.teardown(async () => {
      await gw.close();
      await mock.close();
    });
    for (const client of CLIENT_APIS) {
      for (const stream of [false, true]) {
        const label = `${client} client, ${stream ? 'stream' : 'unary'}`;
        const seen = await CLIENTS[client](gw.url, stream);
        t.same(mock.rejections.map((r) => r.rejection.body), [], `${label}: the strict ${provider} mock accepted the request`);
        t.equal(seen.text, reply.text, `${label}: text`);
        t.same(seen.args, ARGS, `${label}: both parallel tool calls with their arguments`);
        t.equal(seen.finish, FINISH[client], `${label}: finish reason`);
        if (client !== 'gemini' || provider !== 'gemini') t.equal(seen.model, 'chat-default', `${label}: the model the client asked for is reported`);
        const last = mock.requests.at(-1)!;
        const sentModel = provider === 'gemini' ? last.path : provider === 'azure-openai' ? last.path : String((last.body as { model?: unknown }).model);
        t.match(sentModel, 'real-model', `${label}: model_map applied upstream`);
      }
    }
  });
}

const UPSTREAM_ERRORS: Record<string, Array<MockReply['error'] & { name: string }>> = {
  anthropic: [
    { name: '529 overloaded', status: 529, headers: { 'retry-after': '3' }, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
    { name: '401', status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } },
  ],
  openai: [{ name: '429', status: 429, headers: { 'retry-after': '7' }, body: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } } }],
  gemini: [
    { name: '429 RetryInfo', status: 429, body: { error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '6.5s' }] } } },
    { name: '400', status: 400, body: { error: { code: 400, message: 'bad field', status: 'INVALID_ARGUMENT' } } },
  ],
};
const EXPECT: Record<string, { status: number; retryAfter: string | null }> = {
  '529 overloaded': { status: 503, retryAfter: '3' },
  '401': { status: 401, retryAfter: null },
  '429': { status: 429, retryAfter: '7' },
  '429 RetryInfo': { status: 429, retryAfter: '7' },
  '400': { status: 400, retryAfter: null },
};

t.test('provider errors reach each SDK as its own API error', async (t) => {
  for (const [provider, errors] of Object.entries(UPSTREAM_ERRORS)) {
    for (const e of errors) {
      const mock = await startMock(provider, { error: e });
      const gw = await startTranslatingServer({ upstreamUrl: mock.url, llmMeta: { provider, api_key: KEYS[provider]! } });
      const want = EXPECT[e.name]!;
      if (provider !== 'openai') {
        const err = await viaOpenAi(gw.url, false).catch((x: unknown) => x);
        t.ok(err instanceof OpenAI.APIError, `${provider} ${e.name} → openai SDK APIError`);
        const api = err as InstanceType<typeof OpenAI.APIError>;
        t.same([api.status, api.headers?.get('retry-after') ?? null], [want.status, want.retryAfter], `${provider} ${e.name} → openai status and Retry-After`);
        t.type((api.error as { message?: unknown })?.message, 'string', 'OpenAI error shape');
      }
      if (provider !== 'anthropic') {
        const err = await viaAnthropic(gw.url, false).catch((x: unknown) => x);
        t.ok(err instanceof Anthropic.APIError, `${provider} ${e.name} → anthropic SDK APIError`);
        const api = err as InstanceType<typeof Anthropic.APIError>;
        const status = want.status === 503 ? 529 : want.status;
        t.same([api.status, api.headers?.get('retry-after') ?? null], [status, want.retryAfter], `${provider} ${e.name} → anthropic status and Retry-After`);
        t.equal((api.error as { type?: unknown })?.type, 'error', 'Anthropic error shape');
      }
      await gw.close();
      await mock.close();
    }
  }
});
