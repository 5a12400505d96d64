// The OpenAI mock's Responses API (POST /v1/responses): the checks the real API makes (unknown parameters, a model,
// function tools in the flat Responses form) and replies in the exact `response` object and typed SSE event formats.
import type { ServerResponse } from 'node:http';
import { halves, isObject, sendEvents, sendJson, type MockReply, type ReceivedRequest, type Rejection } from './server.js';

const PARAMS = new Set([
  'model', 'input', 'instructions', 'max_output_tokens', 'temperature', 'top_p', 'tools', 'tool_choice', 'parallel_tool_calls',
  'stream', 'stream_options', 'text', 'reasoning', 'store', 'metadata', 'previous_response_id', 'include', 'truncation', 'user',
  'service_tier', 'prompt_cache_key', 'safety_identifier', 'background', 'max_tool_calls', 'top_logprobs', 'conversation', 'prompt',
]);

const err = (status: number, message: string, param: string | null = null, code: string | null = null): Rejection => ({
  status,
  body: { error: { message, type: 'invalid_request_error', param, code } },
});

export function validateResponses(b: unknown): Rejection | undefined {
  if (!isObject(b)) return err(400, 'We could not parse the JSON body of your request.');
  for (const k of Object.keys(b)) if (!PARAMS.has(k)) return err(400, `Unknown parameter: '${k}'.`, k, 'unknown_parameter');
  if (typeof b.model !== 'string' || b.model === '') return err(400, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (b.input === undefined && b.previous_response_id === undefined && b.conversation === undefined) return err(400, "Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  if (b.tools !== undefined) {
    if (!Array.isArray(b.tools)) return err(400, "Invalid type for 'tools': expected an array.", 'tools');
    for (const [i, tool] of b.tools.entries()) {
      if (!isObject(tool) || typeof tool.type !== 'string') return err(400, `Missing required parameter: 'tools[${i}].type'.`, `tools[${i}].type`);
      if (tool.type === 'function' && typeof tool.name !== 'string') return err(400, `Missing required parameter: 'tools[${i}].name'.`, `tools[${i}].name`);
    }
  }
  return undefined;
}

function usageOf(reply: MockReply) {
  const u = reply.usage ?? { input: 20, output: 10 };
  return { input_tokens: u.input, input_tokens_details: { cached_tokens: u.cached ?? 0 }, output_tokens: u.output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.input + u.output };
}

export function respondResponses(req: ReceivedRequest, reply: MockReply, res: ServerResponse): void {
  const body = req.body as Record<string, unknown>;
  const message = reply.text === undefined ? [] : [{ type: 'message', id: 'msg_mock1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }] }];
  const calls = (reply.toolCalls ?? []).map((c, i) => ({ type: 'function_call', id: `fc_mock${i}`, call_id: c.id ?? `call_mock${i}`, name: c.name, arguments: JSON.stringify(c.args), status: 'completed' }));
  const output = [...message, ...calls];
  const response = (status: string, out: unknown[], usage: unknown) => ({
    id: 'resp_mock1', object: 'response', created_at: 1741569952, status, error: null, incomplete_details: null,
    instructions: body.instructions ?? null, max_output_tokens: body.max_output_tokens ?? null, model: `${String(body.model)}-2025-01-01`,
    output: out, parallel_tool_calls: true, previous_response_id: null, reasoning: { effort: null, summary: null }, store: true,
    temperature: 1, text: body.text ?? { format: { type: 'text' } }, tool_choice: body.tool_choice ?? 'auto', tools: body.tools ?? [],
    top_p: 1, truncation: 'disabled', usage, user: null, metadata: {},
  });
  if (body.stream !== true) {
    sendJson(res, 200, response('completed', output, usageOf(reply)));
    return;
  }
  let seq = 0;
  const events: string[] = [];
  const ev = (type: string, data: object) => events.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  ev('response.created', { response: response('in_progress', [], null) });
  ev('response.in_progress', { response: response('in_progress', [], null) });
  output.forEach((item, output_index) => {
    if (item.type === 'message') {
      const text = reply.text ?? '';
      ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      ev('response.content_part.added', { item_id: item.id, output_index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      for (const delta of halves(text)) ev('response.output_text.delta', { item_id: item.id, output_index, content_index: 0, delta, logprobs: [] });
      ev('response.output_text.done', { item_id: item.id, output_index, content_index: 0, text, logprobs: [] });
      ev('response.content_part.done', { item_id: item.id, output_index, content_index: 0, part: { type: 'output_text', text, annotations: [] } });
    } else {
      const args = (item as { arguments: string }).arguments;
      ev('response.output_item.added', { output_index, item: { ...item, arguments: '', status: 'in_progress' } });
      for (const delta of halves(args)) ev('response.function_call_arguments.delta', { item_id: item.id, output_index, delta });
      ev('response.function_call_arguments.done', { item_id: item.id, output_index, arguments: args });
    }
    ev('response.output_item.done', { output_index, item });
  });
  ev('response.completed', { response: response('completed', output, usageOf(reply)) });
  sendEvents(res, 'text/event-stream; charset=utf-8', events, reply.stallAfter);
}
