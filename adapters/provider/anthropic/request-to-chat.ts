// An Anthropic Messages request (from an Anthropic-speaking client) → the OpenAI Chat pivot. tool_result blocks become
// `tool` messages placed before the rest of their user turn, as OpenAI requires them right after the tool calls.
import { badClientRequest, describeValue, isPlainObject, reportDropped, untranslatable, type ChatContentPart, type ChatMessage, type ChatRequest, type ChatTool, type ChatToolCall, type CodecContext, type JsonObject } from '../../../core/llm/index.js';
import { responseFormatOf } from './output-format.js';

const HANDLED = new Set(['model', 'messages', 'system', 'max_tokens', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'stream', 'tools', 'tool_choice', 'metadata', 'output_config', 'output_format']);
const REJECTED = ['mcp_servers', 'container'];

export function anthropicRequestToChat(body: unknown, cx: CodecContext): ChatRequest {
  if (!isPlainObject(body)) throw badClientRequest('body', 'must be a JSON object');
  if (!Array.isArray(body.messages)) throw badClientRequest('messages', 'must be an array');
  for (const f of REJECTED) if (body[f] !== undefined) throw untranslatable(f, cx.provider, 'it runs Anthropic-hosted tools');
  const out: ChatRequest = { model: typeof body.model === 'string' ? body.model : '', messages: [] };
  const system = systemMessage(body.system, cx);
  if (system) out.messages.push(system);
  body.messages.forEach((m, i) => out.messages.push(...convertMessage(m, `messages[${i}]`, cx)));
  if (typeof body.max_tokens === 'number') out.max_tokens = body.max_tokens;
  for (const f of ['temperature', 'top_p', 'top_k'] as const) if (typeof body[f] === 'number') out[f] = body[f] as number;
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) {
    if (!body.stop_sequences.every((s) => typeof s === 'string')) throw badClientRequest('stop_sequences', 'must be an array of strings');
    out.stop = body.stop_sequences as string[];
  }
  if (body.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) out.tools = body.tools.map((t, i) => convertTool(t, i, cx));
  applyToolChoice(out, body.tool_choice);
  if (isPlainObject(body.metadata) && typeof body.metadata.user_id === 'string') out.user = body.metadata.user_id;
  const format = responseFormatOf(body, cx);
  if (format) out.response_format = format;
  reportDropped(cx.log, cx.provider, body, HANDLED);
  return out;
}

function systemMessage(system: unknown, cx: CodecContext): ChatMessage | undefined {
  if (typeof system === 'string') return system === '' ? undefined : { role: 'system', content: system };
  if (!Array.isArray(system) || system.length === 0) return undefined;
  const parts = system.map((b, i): ChatContentPart => {
    if (!isPlainObject(b) || b.type !== 'text' || typeof b.text !== 'string') throw badClientRequest(`system[${i}]`, 'must be a text block');
    if (b.cache_control !== undefined) cx.log.debug({ field: `system[${i}].cache_control`, provider: cx.provider }, 'dropped prompt-cache marker');
    return { type: 'text', text: b.text };
  });
  return { role: 'system', content: parts.length === 1 ? (parts[0] as { text: string }).text : parts };
}

function convertMessage(m: unknown, where: string, cx: CodecContext): ChatMessage[] {
  // API version 2026-10-21 allows system messages inside `messages` (SDK 1.x SystemMessageParam).
  if (isPlainObject(m) && m.role === 'system') {
    const msg = systemMessage(m.content, cx);
    return msg ? [msg] : [];
  }
  if (!isPlainObject(m) || (m.role !== 'user' && m.role !== 'assistant')) throw badClientRequest(`${where}.role`, 'must be "user", "assistant" or "system"');
  if (typeof m.content === 'string') return [{ role: m.role, content: m.content }];
  if (!Array.isArray(m.content)) throw badClientRequest(`${where}.content`, 'must be a string or an array of content blocks');
  return m.role === 'user' ? convertUser(m.content, where, cx) : [convertAssistant(m.content, where, cx)];
}

function convertUser(blocks: unknown[], where: string, cx: CodecContext): ChatMessage[] {
  const tools: ChatMessage[] = [];
  const parts: ChatContentPart[] = [];
  blocks.forEach((b, j) => {
    const at = `${where}.content[${j}]`;
    if (!isPlainObject(b)) throw badClientRequest(at, 'must be a content block');
    if (b.type === 'tool_result') tools.push(toolResult(b, at, cx));
    else if (b.type === 'text' && typeof b.text === 'string') parts.push({ type: 'text', text: b.text });
    else if (b.type === 'image') parts.push(imagePart(b, at, cx));
    else throw untranslatable(`${at} (${describeValue(b.type)})`, cx.provider, 'this content block has no equivalent');
  });
  if (parts.length === 0) return tools;
  const allText = parts.every((p) => p.type === 'text');
  const content = allText && parts.length === 1 ? (parts[0] as { text: string }).text : parts;
  return [...tools, { role: 'user', content }];
}

function imagePart(b: JsonObject, at: string, cx: CodecContext): ChatContentPart {
  const src = isPlainObject(b.source) ? b.source : {};
  if (src.type === 'base64' && typeof src.media_type === 'string' && typeof src.data === 'string') {
    return { type: 'image_url', image_url: { url: `data:${src.media_type};base64,${src.data}` } };
  }
  if (src.type === 'url' && typeof src.url === 'string') return { type: 'image_url', image_url: { url: src.url } };
  throw untranslatable(`${at}.source`, cx.provider, `an image source of type "${describeValue(src.type)}" has no equivalent`);
}

function toolResult(b: JsonObject, at: string, cx: CodecContext): ChatMessage {
  if (typeof b.tool_use_id !== 'string') throw badClientRequest(`${at}.tool_use_id`, 'must be a string');
  let text: string;
  if (typeof b.content === 'string' || b.content === undefined) text = (b.content as string | undefined) ?? '';
  else if (Array.isArray(b.content)) {
    text = b.content
      .map((c, k) => {
        if (isPlainObject(c) && c.type === 'text' && typeof c.text === 'string') return c.text;
        throw untranslatable(`${at}.content[${k}]`, cx.provider, 'a tool result may only hold text there');
      })
      .join('\n');
  } else throw badClientRequest(`${at}.content`, 'must be a string or an array of blocks');
  if (b.is_error === true) cx.log.debug({ field: `${at}.is_error`, provider: cx.provider }, 'dropped is_error (the result text is kept)');
  return { role: 'tool', tool_call_id: b.tool_use_id, content: text };
}

function convertAssistant(blocks: unknown[], where: string, cx: CodecContext): ChatMessage {
  let text = '';
  const calls: ChatToolCall[] = [];
  blocks.forEach((b, j) => {
    const at = `${where}.content[${j}]`;
    if (!isPlainObject(b)) throw badClientRequest(at, 'must be a content block');
    if (b.type === 'text' && typeof b.text === 'string') text += b.text;
    else if (b.type === 'tool_use' && typeof b.id === 'string' && typeof b.name === 'string') {
      calls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    } else if (b.type === 'thinking' || b.type === 'redacted_thinking') {
      cx.log.debug({ field: at, provider: cx.provider }, 'dropped a thinking block');
    } else throw untranslatable(`${at} (${describeValue(b.type)})`, cx.provider, 'this content block has no equivalent');
  });
  const msg: ChatMessage = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
  if (calls.length > 0) msg.tool_calls = calls;
  return msg;
}

function convertTool(t: unknown, i: number, cx: CodecContext): ChatTool {
  if (!isPlainObject(t) || typeof t.name !== 'string') throw badClientRequest(`tools[${i}]`, 'must have a name');
  if (t.type !== undefined && t.type !== 'custom') throw untranslatable(`tools[${i}] (${describeValue(t.type)})`, cx.provider, 'Anthropic server tools run inside Anthropic');
  const fn: ChatTool['function'] = { name: t.name };
  if (typeof t.description === 'string') fn.description = t.description;
  fn.parameters = isPlainObject(t.input_schema) ? t.input_schema : { type: 'object', properties: {} };
  if (t.cache_control !== undefined) cx.log.debug({ field: `tools[${i}].cache_control`, provider: cx.provider }, 'dropped prompt-cache marker');
  return { type: 'function', function: fn };
}

function applyToolChoice(out: ChatRequest, choice: unknown): void {
  if (!isPlainObject(choice)) return;
  if (choice.type === 'auto') out.tool_choice = 'auto';
  else if (choice.type === 'any') out.tool_choice = 'required';
  else if (choice.type === 'none') out.tool_choice = 'none';
  else if (choice.type === 'tool' && typeof choice.name === 'string') out.tool_choice = { type: 'function', function: { name: choice.name } };
  else throw badClientRequest('tool_choice.type', 'must be auto, any, tool or none');
  if (choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
}
