// The gemini codec: thought signatures carried through other clients' tool-call ids and restored, the fallback
// signature, JSON Schema modes, snake_case client requests, functionResponse pairing, tool config, JSON-array streams.
import t from 'tap';
import type { AttemptTranslation } from '../../../../core/llm/index.js';
import { exchange, readFixture, readJson, translateStream } from '../helpers.js';

const sent = (ex: AttemptTranslation) => JSON.parse(ex.request.body!.toString('utf8'));
const geminiBody = readJson<Record<string, unknown>>('requests/gemini.json');

t.test('a thought signature survives a round trip through an OpenAI client', async (t) => {
  const first = exchange({ clientApi: 'openai', provider: 'gemini', body: { model: 'm', messages: [{ role: 'user', content: 'x' }] } });
  const res = JSON.parse(first.translateBody(200, {}, readFixture('upstream/gemini/response.json')).body.toString());
  const calls = res.choices[0].message.tool_calls;
  t.match(calls[0].id, /^call_test\d+__thought__[A-Za-z0-9_-]+$/, 'the signature rides in the id (base64url)');
  const history = [
    { role: 'user', content: 'x' },
    res.choices[0].message,
    ...calls.map((c: { id: string }) => ({ role: 'tool', tool_call_id: c.id, content: '{"ok":true}' })),
  ];
  const next = sent(exchange({ clientApi: 'openai', provider: 'gemini', body: { model: 'm', messages: history } }));
  t.same(next.contents[1].parts.map((p: Record<string, unknown>) => p.thoughtSignature), [undefined, 'CiQBjz1rX+sig/Paris/8A==', undefined], 'restored byte for byte on the call it came with');
  t.same(next.contents[2].parts, [{ functionResponse: { name: 'get_forecast', response: { ok: true } } }, { functionResponse: { name: 'get_forecast', response: { ok: true } } }], 'both responses in one user turn, named after their calls');
  const none = sent(exchange({ clientApi: 'openai', provider: 'gemini', body: { model: 'm', messages: history.map((m) => (m.role === 'assistant' ? { ...m, tool_calls: m.tool_calls.map((c: { id: string }) => ({ ...c, id: 'plain' + c.id.slice(-3) })) } : m.role === 'tool' ? { ...m, tool_call_id: 'plain' + String(m.tool_call_id).slice(-3) } : m)) }, providerConfig: { thought_signature_fallback: '' } }));
  t.same(none.contents[1].parts.map((p: Record<string, unknown>) => p.thoughtSignature), [undefined, undefined, undefined], 'thought_signature_fallback "" sends none');
});

t.test('JSON Schemas: native (parametersJsonSchema) or the OpenAPI subset', async (t) => {
  const body = {
    model: 'm',
    messages: [{ role: 'user', content: 'x' }],
    tools: [{ type: 'function', function: { name: 'f', parameters: { $schema: 'x', type: 'object', additionalProperties: false, properties: { a: { type: ['string', 'null'] } } } } }],
    response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' } } },
  };
  const native = sent(exchange({ clientApi: 'openai', provider: 'gemini', body }));
  t.same(native.tools[0].functionDeclarations[0].parametersJsonSchema, body.tools[0]!.function.parameters);
  t.same([native.generationConfig.responseMimeType, native.generationConfig.responseJsonSchema], ['application/json', { type: 'object' }]);
  const openapi = sent(exchange({ clientApi: 'openai', provider: 'gemini', body, providerConfig: { json_schema_mode: 'openapi' } }));
  t.same(openapi.tools[0].functionDeclarations[0].parameters, { type: 'object', properties: { a: { type: 'string', nullable: true } } }, 'unsupported keywords removed, type arrays → nullable');
  t.same(openapi.generationConfig.responseSchema, { type: 'object' });
});

t.test('Gemini clients: snake_case, pairing by id, tool config, refused built-in tools', async (t) => {
  const snake = {
    system_instruction: { parts: [{ text: 'S' }] },
    contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'image/jpeg', data: 'AA==' } }, { text: 'x' }] }],
    generation_config: { max_output_tokens: 9, candidate_count: 2, response_mime_type: 'application/json' },
  };
  const b = sent(exchange({ clientApi: 'gemini', provider: 'openai', body: snake }));
  t.same(b.messages, [{ role: 'system', content: 'S' }, { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AA==' } }, { type: 'text', text: 'x' }] }]);
  t.same([b.max_tokens, b.n, b.response_format], [9, 2, { type: 'json_object' }]);
  const ids = {
    contents: [
      { role: 'user', parts: [{ text: 'x' }] },
      { role: 'model', parts: [{ functionCall: { id: 'a1', name: 'f', args: {} } }, { functionCall: { id: 'b2', name: 'f', args: { n: 2 } } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'b2', name: 'f', response: { r: 2 } } }, { functionResponse: { id: 'a1', name: 'f', response: { r: 1 } } }] },
    ],
    tools: [{ functionDeclarations: [{ name: 'f' }, { name: 'g' }, { name: 'h' }] }],
    toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f', 'g'] } },
  };
  const paired = sent(exchange({ clientApi: 'gemini', provider: 'openai', body: ids }));
  t.same(paired.messages.slice(2).map((m: { tool_call_id: string; content: string }) => [m.tool_call_id, m.content]), [['b2', '{"r":2}'], ['a1', '{"r":1}']], 'responses paired by id');
  t.same([paired.tool_choice, paired.tools.map((x: { function: { name: string } }) => x.function.name)], ['required', ['f', 'g']], 'ANY over two names: required over only those tools');
  const one = sent(exchange({ clientApi: 'gemini', provider: 'anthropic', body: { ...ids, toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['g'] } } } }));
  t.same(one.tool_choice, { type: 'tool', name: 'g' });
  t.throws(() => exchange({ clientApi: 'gemini', provider: 'openai', body: { contents: ids.contents, tools: [{ googleSearch: {} }] } }), { code: 'DGP_ERR_PROVIDER_UNTRANSLATABLE' });
  t.throws(() => exchange({ clientApi: 'gemini', provider: 'openai', body: { ...geminiBody, cachedContent: 'cachedContents/1' } }), { code: 'DGP_ERR_PROVIDER_UNTRANSLATABLE' });
  t.throws(() => exchange({ clientApi: 'gemini', provider: 'openai', body: { contents: [{ role: 'user', parts: [{ functionResponse: { name: 'nope', response: {} } }] }] } }), { code: 'DGP_ERR_PROVIDER_BAD_REQUEST' }, 'a response with no call');
});

t.test('Gemini responses: blocked prompts, candidates, JSON-array streams', async (t) => {
  const ex = exchange({ clientApi: 'openai', provider: 'gemini', body: { model: 'm', messages: [{ role: 'user', content: 'x' }] } });
  const blocked = JSON.parse(ex.translateBody(200, {}, Buffer.from('{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5}}')).body.toString());
  t.same([blocked.choices[0].finish_reason, blocked.choices[0].message.content], ['content_filter', '']);
  const two = JSON.parse(ex.translateBody(200, {}, Buffer.from(JSON.stringify({ candidates: [{ content: { parts: [{ text: 'a' }] }, finishReason: 'STOP', index: 0 }, { content: { parts: [{ text: 'b' }] }, finishReason: 'MAX_TOKENS', index: 1 }] }))).body.toString());
  t.same(two.choices.map((c: { message: { content: string }; finish_reason: string }) => [c.message.content, c.finish_reason]), [['a', 'stop'], ['b', 'length']], 'candidates → choices');
  const arr = exchange({ clientApi: 'gemini', provider: 'anthropic', body: geminiBody, stream: true, path: '/v1beta/models/chat-default:streamGenerateContent', query: '' });
  t.equal(arr.openStream(200, {}).headers['content-type'], 'application/json; charset=UTF-8');
  const out = translateStream(arr, [readFixture('upstream/anthropic/stream.sse')]).toString();
  const chunks = JSON.parse(out);
  t.ok(Array.isArray(chunks), 'without alt=sse the stream is one JSON array, sent progressively');
  t.same(chunks.at(-1).candidates[0].content.parts.map((p: { functionCall: { args: unknown } }) => p.functionCall.args), [{ city: 'Paris', days: 3 }, { city: 'Tokyo', days: 3 }], 'argument deltas assembled into whole functionCall parts');
  t.equal(chunks.at(-1).usageMetadata.cachedContentTokenCount, 64);
});

t.test('signed tool ids never reach OpenAI (40-character limit) or Anthropic', async (t) => {
  const first = exchange({ clientApi: 'openai', provider: 'gemini', body: { model: 'm', messages: [{ role: 'user', content: 'x' }] } });
  const msg = JSON.parse(first.translateBody(200, {}, readFixture('upstream/gemini/response.json')).body.toString()).choices[0].message;
  const long = msg.tool_calls[0].id as string;
  const history = [{ role: 'user', content: 'x' }, msg, ...msg.tool_calls.map((c: { id: string }) => ({ role: 'tool', tool_call_id: c.id, content: 'ok' }))];
  const pass = exchange({ clientApi: 'openai', provider: 'openai', body: { model: 'm', messages: history } });
  const sentIds = JSON.parse(pass.request.body!.toString()).messages.flatMap((m: { tool_calls?: Array<{ id: string }>; tool_call_id?: string }) => [...(m.tool_calls ?? []).map((c) => c.id), ...(m.tool_call_id ? [m.tool_call_id] : [])]);
  t.same(sentIds, ['call_test1', 'call_test2', 'call_test1', 'call_test2'], 'OpenAI pass-through: the signature is cut, pairs still match');
  const short = exchange({ clientApi: 'openai', provider: 'openai', body: { model: 'm', messages: [{ role: 'user', content: 'x' }] } });
  t.equal(short.request.body!.toString(), JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }), 'bodies without long ids stay byte for byte');
  const anth = sent(exchange({ clientApi: 'openai', provider: 'anthropic', body: { model: 'm', messages: history } }));
  t.same([anth.messages[1].content[1].id, anth.messages[2].content[0].tool_use_id], ['call_test1', 'call_test1'], 'Anthropic gets the base id');
  t.ok(long.length > 40);
});
