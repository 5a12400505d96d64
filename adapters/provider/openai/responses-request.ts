// The OpenAI Responses API request (`POST /v1/responses`) → the pivot Chat request, for Anthropic, Gemini and Chat
// upstreams. What only OpenAI keeps server-side (previous_response_id, conversations, background runs, hosted tools)
// is refused with a 400 in OpenAI's error shape: dropping it would answer a different question.
import { badClientRequest, isPlainObject, untranslatable, type ChatContentPart, type ChatMessage, type ChatRequest, type ChatTool, type ChatToolChoice, type CodecContext, type JsonObject } from '../../../core/llm/index.js';

/** Server-side state or hosted features: only an OpenAI upstream (same-API pass-through) can serve them. */
const STATEFUL = ['previous_response_id', 'conversation', 'background', 'prompt'];
/** Accepted and not sent on: bookkeeping the translated upstream has no use for. */
const DROPPED = ['store', 'metadata', 'include', 'truncation', 'reasoning', 'service_tier', 'prompt_cache_key', 'safety_identifier', 'top_logprobs', 'stream_options'];

export function responsesRequestToChat(body: unknown, cx: CodecContext): ChatRequest {
  if (!isPlainObject(body)) throw badClientRequest('body', 'must be a JSON object');
  for (const k of STATEFUL) {
    if (body[k] !== undefined && body[k] !== null) {
      throw untranslatable(k, cx.provider, 'server-side response state exists only on OpenAI; send the whole conversation in `input`, or route to an OpenAI endpoint');
    }
  }
  const messages: ChatMessage[] = [];
  if (typeof body.instructions === 'string' && body.instructions !== '') messages.push({ role: 'system', content: body.instructions });
  else if (body.instructions !== undefined && body.instructions !== null) throw badClientRequest('instructions', 'must be a string');
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
  else if (Array.isArray(body.input)) body.input.forEach((item, i) => addItem(messages, item, `input[${i}]`, cx));
  else throw badClientRequest('input', 'must be a string or an array of input items');
  if (!messages.some((m) => m.role !== 'system' && m.role !== 'developer')) throw badClientRequest('input', 'must hold at least one message');

  const chat: ChatRequest = { model: typeof body.model === 'string' ? body.model : '', messages };
  if (body.stream === true) chat.stream = true;
  if (typeof body.max_output_tokens === 'number') chat.max_completion_tokens = body.max_output_tokens;
  for (const k of ['temperature', 'top_p', 'parallel_tool_calls', 'user'] as const) if (body[k] !== undefined && body[k] !== null) chat[k] = body[k] as never;
  if (Array.isArray(body.tools) && body.tools.length > 0) chat.tools = body.tools.map((t, i) => toolOf(t, `tools[${i}]`, cx));
  if (body.tool_choice !== undefined && body.tool_choice !== null) chat.tool_choice = toolChoiceOf(body.tool_choice, cx);
  const format = isPlainObject(body.text) && isPlainObject(body.text.format) ? body.text.format : undefined;
  if (format) {
    if (format.type === 'json_object') chat.response_format = { type: 'json_object' };
    else if (format.type === 'json_schema') {
      if (!isPlainObject(format.schema)) throw badClientRequest('text.format.schema', 'must be a JSON schema object');
      const js: NonNullable<ChatRequest['response_format']>['json_schema'] = { schema: format.schema };
      if (typeof format.name === 'string') js.name = format.name;
      if (typeof format.strict === 'boolean') js.strict = format.strict;
      chat.response_format = { type: 'json_schema', json_schema: js };
    } else if (format.type !== 'text') throw badClientRequest('text.format.type', 'must be text, json_object or json_schema');
  }
  for (const k of DROPPED) if (body[k] !== undefined) cx.log.debug({ field: k, provider: cx.provider }, 'dropped a Responses API field the upstream has no use for');
  return chat;
}

function addItem(messages: ChatMessage[], item: unknown, where: string, cx: CodecContext): void {
  if (!isPlainObject(item)) throw badClientRequest(where, 'must be an object');
  const type = item.type ?? 'message';
  if (type === 'message') {
    const role = item.role;
    if (role !== 'user' && role !== 'assistant' && role !== 'system' && role !== 'developer') throw badClientRequest(`${where}.role`, 'must be user, assistant, system or developer');
    messages.push({ role, content: contentOf(item.content, role, `${where}.content`, cx) });
  } else if (type === 'function_call') {
    if (typeof item.call_id !== 'string' || typeof item.name !== 'string') throw badClientRequest(where, 'a function_call needs call_id and name');
    const call = { id: item.call_id, type: 'function' as const, function: { name: item.name, arguments: typeof item.arguments === 'string' ? item.arguments : '{}' } };
    const last = messages.at(-1);
    // Parallel calls (and the text before them) are one assistant turn in Chat.
    if (last?.role === 'assistant') (last.tool_calls ??= []).push(call);
    else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
  } else if (type === 'function_call_output') {
    if (typeof item.call_id !== 'string') throw badClientRequest(`${where}.call_id`, 'must be a string');
    const out = item.output;
    const text = typeof out === 'string' ? out : Array.isArray(out) ? out.map((p) => (isPlainObject(p) && typeof p.text === 'string' ? p.text : '')).join('') : JSON.stringify(out ?? '');
    messages.push({ role: 'tool', tool_call_id: item.call_id, content: text });
  } else if (type === 'reasoning') {
    cx.log.debug({ field: where, provider: cx.provider }, 'dropped a reasoning item (it is only meaningful to OpenAI)');
  } else {
    throw untranslatable(`${where}.type`, cx.provider, `the input item type "${String(type)}" is OpenAI server-side state or a hosted tool`);
  }
}

function contentOf(content: unknown, role: string, where: string, cx: CodecContext): string | ChatContentPart[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw badClientRequest(where, 'must be a string or an array of content parts');
  const parts: ChatContentPart[] = content.map((p, i) => {
    if (!isPlainObject(p)) throw badClientRequest(`${where}[${i}]`, 'must be an object');
    if ((p.type === 'input_text' || p.type === 'output_text' || p.type === 'text') && typeof p.text === 'string') return { type: 'text', text: p.text };
    if (p.type === 'refusal' && typeof p.refusal === 'string') return { type: 'text', text: p.refusal };
    if (p.type === 'input_image' && typeof p.image_url === 'string') {
      const image_url: { url: string; detail?: string } = { url: p.image_url };
      if (typeof p.detail === 'string') image_url.detail = p.detail;
      return { type: 'image_url', image_url };
    }
    throw untranslatable(`${where}[${i}]`, cx.provider, `the content part "${String(p.type)}" cannot be translated (text and image URLs can)`);
  });
  // Chat assistant and system turns carry text only.
  if (role !== 'user') return parts.map((p) => (p.type === 'text' ? (p as { text: string }).text : '')).join('');
  return parts;
}

function toolOf(t: unknown, where: string, cx: CodecContext): ChatTool {
  if (!isPlainObject(t)) throw badClientRequest(where, 'must be an object');
  if (t.type !== 'function') throw untranslatable(`${where}.type`, cx.provider, `the hosted tool "${String(t.type)}" runs only on OpenAI (function tools translate)`);
  if (typeof t.name !== 'string' || t.name === '') throw badClientRequest(`${where}.name`, 'must be a non-empty string');
  const fn: ChatTool['function'] = { name: t.name };
  if (typeof t.description === 'string') fn.description = t.description;
  if (isPlainObject(t.parameters)) fn.parameters = t.parameters as JsonObject;
  if (typeof t.strict === 'boolean') fn.strict = t.strict;
  return { type: 'function', function: fn };
}

function toolChoiceOf(c: unknown, cx: CodecContext): ChatToolChoice {
  if (c === 'none' || c === 'auto' || c === 'required') return c;
  if (isPlainObject(c) && c.type === 'function' && typeof c.name === 'string') return { type: 'function', function: { name: c.name } };
  throw untranslatable('tool_choice', cx.provider, 'only none, auto, required and a function tool choice translate');
}
