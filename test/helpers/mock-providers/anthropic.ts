// A strict mock of the Anthropic Messages API: x-api-key and anthropic-version required, max_tokens required,
// user-first alternating roles, every tool_use answered by a tool_result in the next turn, and replies in the exact
// message / SSE event formats (message_start … message_stop, input_json_delta for tool input).
import type { ServerResponse } from 'node:http';
import { halves, isObject, sendEvents, sendJson, sendUnary, startMockProvider, type MockProvider, type MockReply, type ReceivedRequest, type Rejection, type ReplyScript } from './server.js';

const FIELDS = new Set(['model', 'messages', 'max_tokens', 'system', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'stream', 'tools', 'tool_choice', 'metadata', 'thinking', 'service_tier', 'output_config']);
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const ID = /^[a-zA-Z0-9_-]+$/;

const err = (status: number, type: string, message: string): Rejection => ({ status, body: { type: 'error', error: { type, message }, request_id: 'req_mock' } });
const invalid = (message: string) => err(400, 'invalid_request_error', message);

export function validateAnthropic(req: ReceivedRequest, apiKey: string): Rejection | undefined {
  if (req.method !== 'POST' || req.path !== '/v1/messages') return err(404, 'not_found_error', `Not found: ${req.path}`);
  // SDK 1.x sends the key as a Bearer token; x-api-key is the long-standing header. Anything else is no credential.
  const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
  const key = req.headers['x-api-key'] ?? bearer;
  if (key === undefined) return err(401, 'authentication_error', 'x-api-key header is required');
  if (key !== apiKey) return err(401, 'authentication_error', 'invalid x-api-key');
  if (req.headers['anthropic-version'] === undefined) return invalid('anthropic-version: header is required');
  const b = req.body;
  if (!isObject(b)) return invalid('There was an issue with your request body: invalid JSON');
  for (const k of Object.keys(b)) if (!FIELDS.has(k)) return invalid(`${k}: Extra inputs are not permitted`);
  if (typeof b.model !== 'string') return invalid('model: Field required');
  if (b.output_config !== undefined) {
    const f = isObject(b.output_config) ? b.output_config.format : undefined;
    if (!isObject(f) || f.type !== 'json_schema' || !isObject(f.schema)) return invalid('output_config.format: Input should be a valid JSON output format with a schema');
  }
  if (typeof b.max_tokens !== 'number') return invalid('max_tokens: Field required');
  if (typeof b.temperature === 'number' && (b.temperature < 0 || b.temperature > 1)) return invalid('temperature: Input should be less than or equal to 1');
  if (b.system !== undefined && typeof b.system !== 'string' && !Array.isArray(b.system)) return invalid('system: Input should be a valid string or list');
  if (!Array.isArray(b.messages) || b.messages.length === 0) return invalid('messages: Field required');
  const systemAllowed = String(req.headers['anthropic-version']) >= '2026-10-21';
  return validateMessages(b.messages, systemAllowed) ?? validateTools(b.tools, b.tool_choice);
}

/** Consecutive user or assistant turns are combined into one turn, as the API documents; system messages set aside. */
function combineTurns(messages: unknown[], systemAllowed: boolean): Array<{ role: string; blocks: unknown[]; at: number }> | Rejection {
  const turns: Array<{ role: string; blocks: unknown[]; at: number }> = [];
  for (const [i, m] of messages.entries()) {
    const roles = systemAllowed ? ['user', 'assistant', 'system'] : ['user', 'assistant'];
    if (!isObject(m) || !roles.includes(String(m.role))) return invalid(`messages.${i}.role: Input should be ${roles.map((r) => `'${r}'`).join(' or ')}`);
    if (m.role === 'system') continue;
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    const last = i === messages.length - 1 && m.role === 'assistant';
    if (!Array.isArray(blocks) || (blocks.length === 0 && !last)) return invalid(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
    const prev = turns[turns.length - 1];
    if (prev && prev.role === m.role) prev.blocks.push(...blocks);
    else turns.push({ role: String(m.role), blocks: [...blocks], at: i });
  }
  return turns;
}

function validateMessages(messages: unknown[], systemAllowed: boolean): Rejection | undefined {
  const turns = combineTurns(messages, systemAllowed);
  if (!Array.isArray(turns)) return turns;
  let previousToolUses = new Set<string>();
  for (const [n, turn] of turns.entries()) {
    const m = { role: turn.role };
    const i = turn.at;
    const blocks = turn.blocks;
    if (n === 0 && m.role !== 'user') return invalid('messages: first message must use the "user" role');
    const toolUses = new Set<string>();
    const answered = new Set<string>();
    for (const [j, block] of blocks.entries()) {
      const at = `messages.${i}.content.${j}`;
      if (!isObject(block)) return invalid(`${at}: Input should be a valid dictionary`);
      if (block.type === 'text' && (typeof block.text !== 'string' || block.text === '')) return invalid('messages: text content blocks must be non-empty');
      if (block.type === 'image') {
        const src = isObject(block.source) ? block.source : {};
        if (src.type === 'base64' && !IMAGE_TYPES.has(String(src.media_type))) return invalid(`${at}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`);
        if (src.type !== 'base64' && !(src.type === 'url' && typeof src.url === 'string')) return invalid(`${at}.image.source: Input tag '${String(src.type)}' found using 'type' does not match any of the expected tags`);
      }
      if (block.type === 'tool_use') {
        if (m.role !== 'assistant') return invalid(`${at}: tool_use blocks may only appear in assistant messages`);
        if (typeof block.id !== 'string' || !ID.test(block.id)) return invalid(`${at}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
        if (!isObject(block.input)) return invalid(`${at}.tool_use.input: Input should be a valid dictionary`);
        toolUses.add(block.id);
      }
      if (block.type === 'tool_result') {
        if (m.role !== 'user') return invalid(`${at}: tool_result blocks may only appear in user messages`);
        if (!previousToolUses.has(String(block.tool_use_id))) {
          return invalid(`messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`);
        }
        answered.add(String(block.tool_use_id));
      }
    }
    const missing = [...previousToolUses].filter((id) => !answered.has(id));
    if (missing.length > 0) return invalid(`messages.${turns[n - 1]?.at ?? 0}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`);
    previousToolUses = toolUses;
  }
  return undefined;
}

function validateTools(tools: unknown, choice: unknown): Rejection | undefined {
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return invalid('tools: Input should be a valid list');
    for (const [i, t] of tools.entries()) {
      if (!isObject(t) || typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(t.name)) return invalid(`tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
      if (!isObject(t.input_schema) || t.input_schema.type !== 'object') return invalid(`tools.${i}.custom.input_schema.type: Input should be 'object'`);
    }
  }
  if (choice !== undefined) {
    if (!isObject(choice) || !['auto', 'any', 'tool', 'none'].includes(String(choice.type))) return invalid("tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'");
    if (choice.type === 'tool' && typeof choice.name !== 'string') return invalid('tool_choice.tool.name: Field required');
    if (tools === undefined && choice.type !== 'none') return invalid('tool_choice may only be specified while providing tools.');
  }
  return undefined;
}

const STOP = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' } as const;

function respondAnthropic(req: ReceivedRequest, reply: MockReply, res: ServerResponse): void {
  const body = req.body as Record<string, unknown>;
  const u = reply.usage ?? { input: 20, output: 10 };
  const usage = { input_tokens: u.input, cache_creation_input_tokens: 0, cache_read_input_tokens: u.cached ?? 0, output_tokens: u.output };
  const tools = (reply.toolCalls ?? []).map((c, i) => ({ type: 'tool_use', id: c.id ?? `toolu_mock${i}`, name: c.name, input: c.args }));
  const stop = STOP[reply.finish ?? (tools.length > 0 ? 'tool_calls' : 'stop')];
  const message = { id: 'msg_mock1', type: 'message', role: 'assistant', model: String(body.model), content: [] as object[], stop_reason: null as string | null, stop_sequence: null, usage };
  if (body.stream !== true) {
    message.content = [...(reply.text ? [{ type: 'text', text: reply.text }] : []), ...tools];
    message.stop_reason = stop;
    sendUnary(req, res, reply, message, { 'request-id': 'req_mock1' });
    return;
  }
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const events = [ev('message_start', { message: { ...message, usage: { ...usage, output_tokens: 1 } } })];
  let index = 0;
  if (reply.text) {
    events.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }), ev('ping', {}));
    for (const piece of halves(reply.text)) events.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
    events.push(ev('content_block_stop', { index }));
    index++;
  }
  for (const t of tools) {
    events.push(ev('content_block_start', { index, content_block: { ...t, input: {} } }));
    events.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } }));
    for (const piece of halves(JSON.stringify(t.input))) events.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }));
    events.push(ev('content_block_stop', { index }));
    index++;
  }
  events.push(ev('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: u.output } }), ev('message_stop', {}));
  sendEvents(res, 'text/event-stream; charset=utf-8', events, reply.stallAfter, reply);
}

export function startMockAnthropic(opts: { apiKey?: string; reply: ReplyScript; gate?: (req: ReceivedRequest) => Promise<void> }): Promise<MockProvider> {
  const apiKey = opts.apiKey ?? 'sk-ant-test';
  return startMockProvider({ validate: (r) => validateAnthropic(r, apiKey), respond: respondAnthropic }, opts.reply, opts.gate === undefined ? {} : { gate: opts.gate });
}
