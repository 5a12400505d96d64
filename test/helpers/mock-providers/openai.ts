// A strict mock of OpenAI Chat Completions: Bearer auth, the checks the real API makes (unknown parameters, tool
// message pairing, argument types), and replies in the exact chat.completion / chat.completion.chunk formats.
import type { ServerResponse } from 'node:http';
import { respondResponses, validateResponses } from './openai-responses.js';
import { halves, isObject, sendEvents, sendJson, sendUnary, startMockProvider, type MockProvider, type MockReply, type ReceivedRequest, type Rejection, type ReplyScript } from './server.js';

const PARAMS = new Set([
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'n',
  'stop', 'tools', 'tool_choice', 'parallel_tool_calls', 'user', 'seed', 'presence_penalty', 'frequency_penalty',
  'response_format', 'logprobs', 'top_logprobs', 'logit_bias', 'metadata', 'store', 'service_tier', 'reasoning_effort',
  'modalities', 'audio', 'prediction', 'functions', 'function_call', 'web_search_options', 'safety_identifier', 'prompt_cache_key',
]);
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

const err = (status: number, message: string, type = 'invalid_request_error', code: string | null = null, param: string | null = null): Rejection => ({
  status,
  body: { error: { message, type, param, code } },
});

export function validateOpenAi(req: ReceivedRequest, apiKey: string, azure = false): Rejection | undefined {
  if (azure) {
    // Azure OpenAI: /openai/deployments/<name>/chat/completions?api-version=…, key in the api-key header.
    if (!/^\/openai\/deployments\/[^/]+\/chat\/completions$/.test(req.path)) return { status: 404, body: { error: { code: '404', message: 'Resource not found' } } };
    if (!req.query.get('api-version')) return { status: 404, body: { error: { code: '404', message: 'Resource not found' } } };
    if (req.headers['api-key'] !== apiKey) {
      return { status: 401, body: { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' } } };
    }
  } else {
    const responses = req.method === 'POST' && req.path.endsWith('/v1/responses');
    if (!responses && (req.method !== 'POST' || !req.path.endsWith('/chat/completions'))) return err(404, `Invalid URL (${req.method} ${req.path})`);
    const auth = req.headers.authorization;
    if (auth === undefined) return err(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
    if (auth !== `Bearer ${apiKey}`) return err(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    if (responses) return validateResponses(req.body);
  }
  const b = req.body;
  if (!isObject(b)) return err(400, 'We could not parse the JSON body of your request.');
  for (const k of Object.keys(b)) if (!PARAMS.has(k)) return err(400, `Unrecognized request argument supplied: ${k}`);
  if (typeof b.model !== 'string' || b.model === '') return err(400, 'you must provide a model parameter');
  if (b.max_tokens !== undefined && b.max_completion_tokens !== undefined) return err(400, "max_tokens and max_completion_tokens can't both be set.");
  if (b.stream_options !== undefined && b.stream !== true) return err(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'invalid_request_error', null, 'stream_options');
  if (!Array.isArray(b.messages) || b.messages.length === 0) return err(400, "'messages' must contain at least one message.", 'invalid_request_error', null, 'messages');
  return validateMessages(b.messages) ?? validateTools(b.tools);
}

function validateMessages(messages: unknown[]): Rejection | undefined {
  let open: Set<string> | undefined;
  for (const [i, m] of messages.entries()) {
    if (!isObject(m) || typeof m.role !== 'string' || !ROLES.has(m.role)) return err(400, `Invalid value for 'messages[${i}].role'.`, 'invalid_request_error', null, `messages[${i}].role`);
    if (m.role === 'tool') {
      if (!open || typeof m.tool_call_id !== 'string' || !open.has(m.tool_call_id)) {
        return err(400, "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", 'invalid_request_error', null, `messages.[${i}].role`);
      }
      open.delete(m.tool_call_id);
      continue;
    }
    if (open && open.size > 0) {
      return err(400, `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`, 'invalid_request_error', null, 'messages');
    }
    open = undefined;
    if (m.role === 'assistant' && Array.isArray(m.tool_calls)) {
      open = new Set();
      for (const [k, c] of m.tool_calls.entries()) {
        if (!isObject(c) || typeof c.id !== 'string' || !isObject(c.function) || typeof c.function.arguments !== 'string') {
          return err(400, `Invalid type for 'messages[${i}].tool_calls[${k}].function.arguments': expected a string.`);
        }
        if (c.id.length > 40) return err(400, `Invalid 'messages[${i}].tool_calls[${k}].id': string too long. Expected a string with maximum length 40, but got a string with length ${c.id.length} instead.`, 'invalid_request_error', 'string_above_max_length', `messages[${i}].tool_calls[${k}].id`);
        open.add(c.id);
      }
    }
  }
  if (open && open.size > 0) return err(400, `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`);
  return undefined;
}

function validateTools(tools: unknown): Rejection | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return err(400, "Invalid type for 'tools': expected an array.");
  for (const [i, t] of tools.entries()) {
    if (!isObject(t) || t.type !== 'function' || !isObject(t.function) || typeof t.function.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.function.name)) {
      return err(400, `Invalid 'tools[${i}]'.`, 'invalid_request_error', null, `tools[${i}]`);
    }
  }
  return undefined;
}

function usageOf(reply: MockReply) {
  const u = reply.usage ?? { input: 20, output: 10 };
  return { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output, prompt_tokens_details: { cached_tokens: u.cached ?? 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 } };
}

function respondOpenAi(req: ReceivedRequest, reply: MockReply, res: ServerResponse): void {
  if (req.path.endsWith('/v1/responses')) return respondResponses(req, reply, res);
  const body = req.body as Record<string, unknown>;
  const calls = (reply.toolCalls ?? []).map((c, i) => ({ id: c.id ?? `call_mock${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } }));
  const finish = reply.finish ?? (calls.length > 0 ? 'tool_calls' : 'stop');
  const base = { id: 'chatcmpl-mock1', created: 1741569952, model: `${String(body.model)}-2025-01-01`, system_fingerprint: 'fp_mock' };
  if (body.stream !== true) {
    const message: Record<string, unknown> = { role: 'assistant', content: reply.text ?? null };
    if (calls.length > 0) message.tool_calls = calls;
    message.refusal = null;
    sendUnary(req, res, reply, { ...base, object: 'chat.completion', choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], ...(reply.omitUsage ? {} : { usage: usageOf(reply) }) });
    return;
  }
  const withUsage = !reply.omitUsage && isObject(body.stream_options) && body.stream_options.include_usage === true;
  const chunk = (delta: object, finishReason: string | null = null) =>
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...(withUsage ? { usage: null } : {}) })}\n\n`;
  const events = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const piece of reply.text ? halves(reply.text) : []) events.push(chunk({ content: piece }));
  calls.forEach((c, index) => {
    events.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }] }));
    for (const piece of halves(c.function.arguments)) events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  events.push(chunk({}, finish));
  if (withUsage) events.push(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage: usageOf(reply) })}\n\n`);
  events.push('data: [DONE]\n\n');
  sendEvents(res, 'text/event-stream; charset=utf-8', events, reply.stallAfter, reply);
}

/** `azure: true` expects Azure OpenAI's deployment path, api-version and api-key header instead of Bearer auth. */
export function startMockOpenAi(opts: { apiKey?: string; azure?: boolean; reply: ReplyScript; gate?: (req: ReceivedRequest) => Promise<void> }): Promise<MockProvider> {
  const apiKey = opts.apiKey ?? 'sk-test';
  return startMockProvider({ validate: (r) => validateOpenAi(r, apiKey, opts.azure), respond: respondOpenAi }, opts.reply, opts.gate === undefined ? {} : { gate: opts.gate });
}
