// The strict mock providers (test/helpers/mock-providers) reject what the real APIs reject, and speak their wire
// formats well enough for the official `openai` and `@anthropic-ai/sdk` clients to parse unary and streamed replies
// with tool calls.
import t from 'tap';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startMockAnthropic, startMockGemini, startMockOpenAi, type MockProvider } from '../../helpers/mock-providers/index.js';

const reply = { text: 'Sunny in Paris ☀', toolCalls: [{ name: 'get_weather', args: { city: 'Paris' } }, { name: 'get_weather', args: { city: 'Tokyo' } }], usage: { input: 30, output: 12, cached: 8 } };
const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

async function post(mock: MockProvider, path: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(mock.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

t.test('the Anthropic mock rejects what the Messages API rejects', async (t) => {
  const mock = await startMockAnthropic({ reply });
  t.teardown(() => mock.close());
  const ok = { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' };
  const msg = { model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
  const cases: Array<[string, Record<string, string>, unknown, number, string]> = [
    ['no x-api-key', { 'anthropic-version': '2023-06-01' }, msg, 401, 'x-api-key header is required'],
    ['an OpenAI-style api-key header', { 'api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' }, msg, 401, 'x-api-key header is required'],
    ['wrong key', { ...ok, 'x-api-key': 'nope' }, msg, 401, 'invalid x-api-key'],
    ['no anthropic-version', { 'x-api-key': 'sk-ant-test' }, msg, 400, 'anthropic-version: header is required'],
    ['no max_tokens', ok, { model: 'claude', messages: msg.messages }, 400, 'max_tokens: Field required'],
    ['system role in messages', ok, { ...msg, messages: [{ role: 'system', content: 'x' }, ...msg.messages] }, 400, "Input should be 'user' or 'assistant'"],
    ['assistant first', ok, { ...msg, messages: [{ role: 'assistant', content: 'hello' }, ...msg.messages] }, 400, 'first message must use the "user" role'],
    ['system role before version 2026-10-21', ok, { ...msg, messages: [...msg.messages, { role: 'system', content: 'x' }] }, 400, "Input should be 'user' or 'assistant'"],
    ['tool_result without its tool_use', ok, { ...msg, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'x' }] }] }, 400, 'unexpected `tool_use_id`'],
    ['unanswered tool_use', ok, { ...msg, messages: [...msg.messages, { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] }, { role: 'user', content: 'next' }] }, 400, 'without `tool_result` blocks'],
    ['unknown field', ok, { ...msg, top_q: 1 }, 400, 'Extra inputs are not permitted'],
  ];
  for (const [name, headers, body, status, message] of cases) {
    const res = await post(mock, '/v1/messages', headers, body);
    t.equal(res.status, status, `${name}: status`);
    t.equal(res.json.type, 'error', `${name}: Anthropic error shape`);
    t.match(res.json.error.message, message, `${name}: message`);
  }
  t.equal(mock.rejections.length, cases.length, 'every malformed request was rejected');
});

t.test('the OpenAI mock rejects what Chat Completions rejects', async (t) => {
  const mock = await startMockOpenAi({ reply });
  t.teardown(() => mock.close());
  const auth = { authorization: 'Bearer sk-test' };
  const base = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
  const call = { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] };
  const cases: Array<[string, Record<string, string>, unknown, number, string]> = [
    ['no key', {}, base, 401, "You didn't provide an API key"],
    ['wrong key', { authorization: 'Bearer nope' }, base, 401, 'Incorrect API key'],
    ['x-api-key instead of Bearer', { 'x-api-key': 'sk-test' }, base, 401, "You didn't provide an API key"],
    ['unknown parameter', auth, { ...base, top_k: 3 }, 400, 'Unrecognized request argument supplied: top_k'],
    ['tool message without a call', auth, { ...base, messages: [...base.messages, { role: 'tool', tool_call_id: 'call_1', content: 'x' }] }, 400, "must be a response to a preceeding message with 'tool_calls'"],
    ['unanswered tool call', auth, { ...base, messages: [...base.messages, call, { role: 'user', content: 'next' }] }, 400, 'did not have response messages: call_1'],
    ['object arguments', auth, { ...base, messages: [...base.messages, { ...call, tool_calls: [{ ...call.tool_calls[0], function: { name: 'f', arguments: {} } }] }] }, 400, 'expected a string'],
  ];
  for (const [name, headers, body, status, message] of cases) {
    const res = await post(mock, '/v1/chat/completions', headers, body);
    t.equal(res.status, status, `${name}: status`);
    t.match(res.json.error.message, message, `${name}: OpenAI error shape and message`);
  }
});

t.test('the Gemini mock rejects what generateContent rejects', async (t) => {
  const mock = await startMockGemini({ reply, requireThoughtSignatures: true });
  t.teardown(() => mock.close());
  const key = { 'x-goog-api-key': 'gm-test' };
  const path = '/v1beta/models/gemini-2.5-flash:generateContent';
  const user = { role: 'user', parts: [{ text: 'hi' }] };
  const callTurn = (sig?: string) => ({ role: 'model', parts: [{ functionCall: { name: 'f', args: {} }, ...(sig ? { thoughtSignature: sig } : {}) }, { functionCall: { name: 'g', args: {} } }] });
  const responses = (n: number) => ({ role: 'user', parts: Array.from({ length: n }, () => ({ functionResponse: { name: 'f', response: {} } })) });
  const cases: Array<[string, Record<string, string>, unknown, number, string, string]> = [
    ['no key', {}, { contents: [user] }, 403, 'PERMISSION_DENIED', 'unregistered callers'],
    ['wrong key', { 'x-goog-api-key': 'nope' }, { contents: [user] }, 400, 'INVALID_ARGUMENT', 'API key not valid'],
    ['Bearer instead of a key', { authorization: 'Bearer gm-test' }, { contents: [user] }, 403, 'PERMISSION_DENIED', 'unregistered callers'],
    ['no contents', key, { contents: [] }, 400, 'INVALID_ARGUMENT', 'contents is not specified'],
    ['assistant role', key, { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, 400, 'INVALID_ARGUMENT', 'valid role'],
    ['unknown field', key, { contents: [user], temperature: 1 }, 400, 'INVALID_ARGUMENT', 'Unknown name "temperature"'],
    ['response count', key, { contents: [user, callTurn('sig'), responses(1)] }, 400, 'INVALID_ARGUMENT', 'number of function response parts'],
    ['call after a model turn', key, { contents: [user, { role: 'model', parts: [{ text: 'x' }] }, callTurn('sig')] }, 400, 'INVALID_ARGUMENT', 'comes immediately after a user turn'],
    ['missing thought signature', key, { contents: [user, callTurn(), responses(2)] }, 400, 'INVALID_ARGUMENT', 'missing a thought_signature'],
  ];
  for (const [name, headers, body, status, grpc, message] of cases) {
    const res = await post(mock, path, headers, body);
    t.equal(res.status, status, `${name}: status`);
    t.same([res.json.error.code, res.json.error.status], [status, grpc], `${name}: Gemini error shape`);
    t.match(res.json.error.message, message, `${name}: message`);
  }
  const good = await post(mock, path, key, { contents: [user, callTurn('sig'), responses(2)] });
  t.equal(good.status, 200, 'a well-formed multi-turn function-calling request passes');
});

t.test('the official openai client reads the OpenAI mock (unary and stream, parallel tool calls)', async (t) => {
  const mock = await startMockOpenAi({ reply });
  t.teardown(() => mock.close());
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
  const messages = [{ role: 'user' as const, content: 'weather?' }];
  const res = await client.chat.completions.create({ model: 'gpt-4o', messages, tools });
  t.equal(res.choices[0]!.message.content, reply.text);
  t.same(res.choices[0]!.message.tool_calls!.map((c) => [c.type === 'function' && c.function.name, c.type === 'function' && JSON.parse(c.function.arguments)]), [['get_weather', { city: 'Paris' }], ['get_weather', { city: 'Tokyo' }]]);
  t.equal(res.usage!.prompt_tokens_details!.cached_tokens, 8);
  const stream = client.chat.completions.stream({ model: 'gpt-4o', messages, tools, stream_options: { include_usage: true } });
  const final = await stream.finalChatCompletion();
  t.equal(final.choices[0]!.message.content, reply.text, 'streamed text accumulates');
  t.same(final.choices[0]!.message.tool_calls!.map((c) => c.type === 'function' && JSON.parse(c.function.arguments)), [{ city: 'Paris' }, { city: 'Tokyo' }], 'streamed argument deltas accumulate');
  t.equal(final.choices[0]!.finish_reason, 'tool_calls');
  t.equal(final.usage?.total_tokens, 42, 'the usage chunk is read');
});

t.test('the official @anthropic-ai/sdk client reads the Anthropic mock (unary and stream, parallel tool use)', async (t) => {
  const mock = await startMockAnthropic({ reply });
  t.teardown(() => mock.close());
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.url, maxRetries: 0 });
  const params = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user' as const, content: 'weather?' }] };
  const res = await client.messages.create(params);
  t.same(res.content.map((b) => b.type), ['text', 'tool_use', 'tool_use']);
  t.equal(res.stop_reason, 'tool_use');
  const final = await client.messages.stream(params).finalMessage();
  t.same(final.content.map((b) => (b.type === 'tool_use' ? b.input : b.type === 'text' ? b.text : b.type)), [reply.text, { city: 'Paris' }, { city: 'Tokyo' }], 'input_json_delta pieces accumulate into tool input');
  t.same([final.usage.input_tokens, final.usage.output_tokens, final.usage.cache_read_input_tokens], [30, 12, 8]);
  const denied = await new Anthropic({ apiKey: 'nope', baseURL: mock.url, maxRetries: 0 }).messages.create(params).catch((e: unknown) => e);
  t.ok(denied instanceof Anthropic.AuthenticationError, 'a wrong key surfaces as the SDK AuthenticationError');
});
