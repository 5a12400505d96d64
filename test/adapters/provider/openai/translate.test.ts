// The openai codec: base_path, max_tokens_field, the legacy functions API, OpenAI-compatible streams without [DONE],
// error events inside streams, and usage chunks only for clients that asked (include_usage).
import t from 'tap';
import { exchange, readJson, translateStream } from '../helpers.js';

const anthropicBody = readJson<Record<string, unknown>>('requests/anthropic.json');

t.test('paths: Pixiu pass-through, base_path, translated default /v1', async (t) => {
  const body = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
  t.equal(exchange({ clientApi: 'openai', provider: 'openai', body, path: '/v1/chat/completions', query: 'a=1' }).request.path, '/v1/chat/completions?a=1', 'pass-through keeps path and query');
  t.equal(exchange({ clientApi: 'openai', provider: 'openai', body, providerConfig: { base_path: '/openai/v1' } }).request.path, '/openai/v1/chat/completions', 'base_path replaces /v1 (Groq)');
  t.equal(exchange({ clientApi: 'anthropic', provider: 'openai', body: anthropicBody, llmMeta: { options: { base_path: '/api/v1' } } }).request.path, '/api/v1/chat/completions', 'base_path per endpoint (OpenRouter)');
  t.equal(exchange({ clientApi: 'anthropic', provider: 'openai', body: anthropicBody }).request.path, '/v1/chat/completions');
});

t.test('request fields', async (t) => {
  const ex = exchange({ clientApi: 'anthropic', provider: 'openai', body: anthropicBody, providerConfig: { max_tokens_field: 'max_completion_tokens' } });
  const b = JSON.parse(ex.request.body!.toString());
  t.same([b.max_completion_tokens, b.max_tokens], [512, undefined], 'max_tokens_field');
  t.throws(() => exchange({ clientApi: 'openai', provider: 'anthropic', body: { model: 'm', messages: [{ role: 'user', content: 'x' }], functions: [{ name: 'f' }] } }), { code: 'DGP_ERR_PROVIDER_BAD_REQUEST' }, 'legacy functions are refused with a hint to use tools');
});

t.test('OpenAI-compatible streams: no [DONE], error events, usage only when asked', async (t) => {
  const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'x', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const noDone = translateStream(exchange({ clientApi: 'anthropic', provider: 'openai', body: anthropicBody, stream: true }), [Buffer.from(chunk({ content: 'hi' }) + chunk({}, 'stop'))]).toString();
  t.match(noDone, /event: message_stop\n/, 'a finish_reason is enough (Ollama-style streams without [DONE])');
  const err = translateStream(exchange({ clientApi: 'gemini', provider: 'openai', body: readJson('requests/gemini.json'), stream: true }), [Buffer.from(chunk({ content: 'a' }) + 'data: {"error":{"message":"boom","code":500}}\n\n')]).toString();
  t.match(err, 'data: {"error":{"code":500,"message":"boom","status":"INTERNAL"}}', 'an error event inside the stream');
  // An OpenAI client only sees the usage chunk when it asked for it: exercised through an Anthropic upstream.
  const anthropicSse = Buffer.from('event: message_start\ndata: {"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":3}}}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n');
  const body = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
  const without = translateStream(exchange({ clientApi: 'openai', provider: 'anthropic', body, stream: true }), [anthropicSse]).toString();
  t.notMatch(without, 'usage', 'no include_usage: no usage anywhere');
  const withUsage = translateStream(exchange({ clientApi: 'openai', provider: 'anthropic', body: { ...body, stream_options: { include_usage: true } }, stream: true }), [anthropicSse]).toString();
  t.match(withUsage, '"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5');
  t.equal(withUsage.match(/"usage":null/g)?.length, 2, 'usage: null on the other chunks, as OpenAI sends');
});
