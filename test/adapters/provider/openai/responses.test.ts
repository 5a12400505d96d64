// The Responses API client codec at the codec level: what is refused (server-side state, hosted tools, unknown
// items), an Anthropic upstream's answer cut by max_tokens (status incomplete), a tool call after text (items closed in
// order), and an error inside the stream (an `error` event, nothing after it).
import t from 'tap';
import { exchange, translateStream } from '../helpers.js';

const base = { model: 'm', input: 'hi' };
const ex = (body: unknown, provider = 'anthropic', stream = false) => exchange({ clientApi: 'openai', provider, body: stream ? { ...(body as object), stream: true } : body, path: '/v1/responses', stream });

t.test('refused and translated request fields', async (t) => {
  for (const [field, body] of [
    ['previous_response_id', { ...base, previous_response_id: 'resp_1' }],
    ['conversation', { ...base, conversation: 'conv_1' }],
    ['tools[0].type', { ...base, tools: [{ type: 'web_search' }] }],
    ['input[0].type', { ...base, input: [{ type: 'item_reference', id: 'msg_1' }] }],
    ['input[0].content[0]', { ...base, input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }],
  ] as const) {
    t.throws(() => ex(body), { code: 'DGP_ERR_PROVIDER_UNTRANSLATABLE', message: new RegExp(field.replace(/[[\]]/g, '\\$&')) }, `${field}: 400`);
  }
  t.throws(() => ex({ model: 'm' }), { code: 'DGP_ERR_PROVIDER_BAD_REQUEST', message: /input/ }, 'no input: 400');
  const sent = JSON.parse(ex({ ...base, instructions: 'sys', max_output_tokens: 9, tool_choice: { type: 'function', name: 'f' }, tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }], store: true, reasoning: { effort: 'low' } }).request.body!.toString());
  t.same([sent.system, sent.max_tokens, sent.tool_choice, sent.tools[0].name], ['sys', 9, { type: 'tool', name: 'f' }, 'f'], 'instructions, max_output_tokens, tools, tool_choice');
  t.notOk('store' in sent || 'reasoning' in sent, 'bookkeeping fields are not sent');
});

t.test('unary: cut by max_tokens is incomplete; text and tool calls become items', async (t) => {
  const x = ex(base);
  const out = x.translateBody(200, {}, Buffer.from(JSON.stringify({ id: 'msg_a', type: 'message', role: 'assistant', model: 'c', content: [{ type: 'text', text: 'partial' }, { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } }], stop_reason: 'max_tokens', usage: { input_tokens: 4, output_tokens: 9 } })));
  const r = JSON.parse(out.body.toString());
  t.equal(r.status, 'incomplete');
  t.same(r.incomplete_details, { reason: 'max_output_tokens' });
  t.same(r.output.map((o: { type: string }) => o.type), ['message', 'function_call']);
  t.same([r.output[1].call_id, r.output[1].arguments], ['call_1', '{"a":1}'], "the call id in OpenAI's prefix");
  t.same(r.usage, { input_tokens: 4, input_tokens_details: { cached_tokens: 0 }, output_tokens: 9, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 13 });
});

const sse = (events: Array<Record<string, unknown>>) => Buffer.from(events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
const start = { type: 'message_start', message: { id: 'msg_a', type: 'message', role: 'assistant', model: 'c', content: [], usage: { input_tokens: 5, output_tokens: 0 } } };

t.test('streams: text then a tool call, and an error mid-stream', async (t) => {
  const out = translateStream(ex(base, 'anthropic', true), [
    sse([
      start,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me check.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_9', name: 'f', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '1}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 7 } },
      { type: 'message_stop' },
    ]),
  ]).toString();
  const events = out.split('\n\n').filter(Boolean).map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)) as Record<string, unknown>);
  t.same(events.map((e) => e.sequence_number), events.map((_, i) => i), 'sequence numbers count up from 0');
  const types = events.map((e) => e.type);
  t.ok(types.indexOf('response.output_item.done') < types.lastIndexOf('response.output_item.added'), 'the text item is closed before the tool call opens');
  t.same(events.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta), ['{"a":', '1}']);
  const done = events.find((e) => e.type === 'response.function_call_arguments.done');
  t.same([done?.arguments, done?.output_index], ['{"a":1}', 1]);
  const completed = events.at(-1) as { type: string; response: { status: string; output: Array<{ type: string; call_id?: string }>; usage: { input_tokens: number; output_tokens: number } } };
  t.equal(completed.type, 'response.completed');
  t.same(completed.response.output.map((o) => o.type), ['message', 'function_call']);
  t.equal(completed.response.output[1]?.call_id, 'call_9', "the call id in OpenAI's prefix");
  t.same([completed.response.usage.input_tokens, completed.response.usage.output_tokens], [5, 7]);

  const failed = translateStream(ex(base, 'anthropic', true), [
    sse([start, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]),
  ]).toString();
  const last = failed.split('\n\n').filter(Boolean).at(-1) ?? '';
  t.match(last, /^event: error\ndata: \{"type":"error","sequence_number":\d+,"code":"[a-z_]+","message":"Overloaded"/, 'an error event ends the stream');
  t.notMatch(failed, 'response.completed', 'no response.completed after an error');
});
