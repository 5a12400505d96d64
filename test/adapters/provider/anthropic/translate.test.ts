// The anthropic codec's per-field rules (docs/providers.md): what is translated, dropped with a debug log, or
// refused with a 400 because dropping it would change the answer.
import t from 'tap';
import type { AttemptTranslation } from '../../../../core/llm/index.js';
import { exchange, recorder, translateStream } from '../helpers.js';

const user = { role: 'user', content: 'hi' };
const toAnthropic = (body: Record<string, unknown>, extra: Partial<Parameters<typeof exchange>[0]> = {}) =>
  exchange({ clientApi: 'openai', provider: 'anthropic', body: { model: 'm', messages: [user], ...body }, ...extra });
const sent = (ex: AttemptTranslation) => JSON.parse(ex.request.body!.toString('utf8'));

t.test('OpenAI fields an Anthropic upstream cannot express and must not lose are refused', async (t) => {
  const refused: Array<[string, Record<string, unknown>]> = [
    ['n', { n: 2 }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['audio', { audio: { voice: 'alloy', format: 'mp3' } }],
    ['modalities', { modalities: ['text', 'audio'] }],
    ['messages', { messages: [{ role: 'assistant', content: 'Welcome!' }, user] }],
    ['messages[0].content[0] (input_audio)', { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }],
    ['messages[0].content[0]', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,AA==' } }] }] }],
  ];
  for (const [field, body] of refused) {
    t.throws(() => toAnthropic(body), { code: 'DGP_ERR_PROVIDER_UNTRANSLATABLE', status: 400, details: { field } }, `${field} is refused`);
  }
});

t.test('translated and dropped OpenAI fields', async (t) => {
  const log = recorder();
  const ex = toAnthropic(
    {
      messages: [{ role: 'system', content: 'A' }, user, { role: 'developer', content: 'B' }, { role: 'assistant', content: '' }, { role: 'user', content: 'again' }],
      max_completion_tokens: 99,
      stop: 'END',
      seed: 7,
      presence_penalty: 0.5,
      reasoning_effort: 'low',
      parallel_tool_calls: false,
      tools: [{ type: 'function', function: { name: 'f', strict: true } }],
      tool_choice: 'required',
    },
    { log },
  );
  const b = sent(ex);
  t.same(b.system, [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }], 'system and developer messages hoisted, mid-conversation too');
  t.same(b.messages, [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'text', text: 'again' }] }], 'empty assistant turn dropped, user turns merged');
  t.same([b.max_tokens, b.stop_sequences], [99, ['END']]);
  t.same(b.tools, [{ name: 'f', input_schema: { type: 'object', properties: {} } }], 'a tool without parameters gets an empty object schema');
  t.same(b.tool_choice, { type: 'any', disable_parallel_tool_use: true }, 'required → any; parallel_tool_calls false → disable_parallel_tool_use');
  const fields = log.records.map((r) => (r.obj as { field: string }).field);
  t.same(fields.sort(), ['messages[2]', 'messages[3]', 'presence_penalty', 'reasoning_effort', 'seed', 'tools[0].function.strict'].sort(), 'each drop is debug-logged');
  t.equal(sent(toAnthropic({})).max_tokens, 4096, 'default max_tokens when none is given');
  t.equal(sent(toAnthropic({}, { providerConfig: { default_max_tokens: 1000 } })).max_tokens, 1000, 'the plugin config default');
  const choices: Array<[unknown, unknown]> = [['auto', { type: 'auto' }], ['none', { type: 'none' }], [{ type: 'function', function: { name: 'f' } }, { type: 'tool', name: 'f' }]];
  for (const [choice, want] of choices) t.same(sent(toAnthropic({ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: choice })).tool_choice, want, `tool_choice ${JSON.stringify(choice)}`);
  const ids = sent(toAnthropic({ messages: [user, { role: 'assistant', tool_calls: [{ id: 'call:1/x', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'call:1/x', content: 'ok' }] }));
  t.same([ids.messages[1].content[0].id, ids.messages[2].content[0].tool_use_id], ['call_1_x', 'call_1_x'], 'tool ids made to fit ^[a-zA-Z0-9_-]+$, consistently');
  t.throws(() => toAnthropic({ messages: [user, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1' } }] }] }), { code: 'DGP_ERR_PROVIDER_BAD_REQUEST' }, 'arguments that are not a JSON object');
});

t.test('Anthropic clients: system messages (API 2026-10-21), thinking, server tools, documents', async (t) => {
  const base = { model: 'm', max_tokens: 10 };
  const ex = exchange({ clientApi: 'anthropic', provider: 'openai', body: { ...base, messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hi' }, { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 'x' }, { type: 'text', text: 'ok' }] }], thinking: { type: 'enabled', budget_tokens: 2000 }, top_k: 5 } });
  t.same(sent(ex).messages, [{ role: 'system', content: 'S' }, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'ok' }], 'system message kept in place, thinking dropped');
  t.equal(sent(ex).top_k, undefined, 'top_k dropped for OpenAI');
  t.equal(sent(exchange({ clientApi: 'anthropic', provider: 'gemini', body: { ...base, messages: [{ role: 'user', content: 'hi' }], top_k: 5 } })).generationConfig.topK, 5, 'top_k kept for Gemini');
  t.throws(() => exchange({ clientApi: 'anthropic', provider: 'openai', body: { ...base, messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'web_search_20250305', name: 'web_search' }] } }), { code: 'DGP_ERR_PROVIDER_UNTRANSLATABLE' });
  t.throws(() => exchange({ clientApi: 'anthropic', provider: 'openai', body: { ...base, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }] }] } }), { code: 'DGP_ERR_PROVIDER_UNTRANSLATABLE' });
  const disable = exchange({ clientApi: 'anthropic', provider: 'openai', body: { ...base, messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice: { type: 'any', disable_parallel_tool_use: true } } });
  t.same([sent(disable).tool_choice, sent(disable).parallel_tool_calls], ['required', false]);
});

t.test('stop reasons both ways', async (t) => {
  const pairs: Array<[string, string]> = [['end_turn', 'stop'], ['stop_sequence', 'stop'], ['max_tokens', 'length'], ['tool_use', 'tool_calls'], ['refusal', 'content_filter']];
  for (const [stop, finish] of pairs) {
    const res = toAnthropic({}).translateBody(200, {}, Buffer.from(JSON.stringify({ id: 'msg_1', model: 'c', content: [{ type: 'text', text: 'x' }], stop_reason: stop, usage: { input_tokens: 1, output_tokens: 1 } })));
    t.equal(JSON.parse(res.body.toString()).choices[0].finish_reason, finish, `${stop} → ${finish}`);
  }
  const back = exchange({ clientApi: 'anthropic', provider: 'openai', body: { model: 'm', max_tokens: 5, messages: [user] } });
  const res = back.translateBody(200, {}, Buffer.from(JSON.stringify({ id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'length' }] })));
  t.same(JSON.parse(res.body.toString()).stop_reason, 'max_tokens', 'length → max_tokens');
});

t.test('an OpenAI stream becomes a well-ordered Anthropic stream even without usage or text', async (t) => {
  const ex = exchange({ clientApi: 'anthropic', provider: 'openai', body: { model: 'm', max_tokens: 5, messages: [user] }, stream: true });
  const out = translateStream(ex, [Buffer.from('data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"x","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n')]).toString();
  t.same(out.match(/^event: (\w+)/gm), ['event: message_start', 'event: message_delta', 'event: message_stop']);
  t.match(out, '"delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}');
});
