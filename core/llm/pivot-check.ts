// Checks that a pivot value (pivot.ts) has the shape the codecs read before one codec hands it to another: a client
// request that becomes a malformed pivot is the client's 400 (DGP_ERR_PROVIDER_BAD_REQUEST), a provider answer or
// stream chunk that does the 502 (DGP_ERR_PROVIDER_BAD_RESPONSE), naming the field — never a TypeError from deep
// inside an encoder. Only what a codec dereferences is checked; unknown fields and values pass (each codec decides
// what it can express).
import type { DgpError } from '../index.js';
import type { ChatChunk, ChatCompletion, ChatRequest } from './pivot.js';
import { badClientRequest, badProviderResponse, isPlainObject } from './helpers.js';

type Fail = (field: string, why: string) => DgpError;
const TOOL_CHOICES = new Set(['none', 'auto', 'required']);
type Obj = Record<string, unknown>;

function object(v: unknown, at: string, fail: Fail): Obj {
  if (!isPlainObject(v)) throw fail(at, 'must be an object');
  return v;
}

function list(v: unknown, at: string, fail: Fail): unknown[] {
  if (!Array.isArray(v)) throw fail(at, 'must be an array');
  return v;
}

/** A present field must be a string (null allowed where `nullable`). */
function optString(o: Obj, key: string, at: string, fail: Fail, nullable = false): void {
  const v = o[key];
  if (v === undefined || (nullable && v === null) || typeof v === 'string') return;
  throw fail(`${at}.${key}`, 'must be a string');
}

function optNumber(o: Obj, key: string, at: string, fail: Fail): void {
  const v = o[key];
  if (v !== undefined && v !== null && typeof v !== 'number') throw fail(`${at}.${key}`, 'must be a number');
}

function content(v: unknown, at: string, fail: Fail): void {
  if (v === undefined || v === null || typeof v === 'string') return;
  list(v, at, fail).forEach((p, k) => {
    const part = object(p, `${at}[${k}]`, fail);
    if (typeof part.type !== 'string') throw fail(`${at}[${k}].type`, 'must be a string');
    if (part.type === 'text' && typeof part.text !== 'string') throw fail(`${at}[${k}].text`, 'must be a string');
    if (part.type === 'image_url') optString(object(part.image_url, `${at}[${k}].image_url`, fail), 'url', `${at}[${k}].image_url`, fail);
  });
}

/** Tool calls of a message (`delta` false) or deltas of a chunk (`delta` true, every field optional). */
function toolCalls(v: unknown, at: string, fail: Fail, delta: boolean): void {
  if (v === undefined || v === null) return;
  list(v, at, fail).forEach((c, k) => {
    const call = object(c, `${at}[${k}]`, fail);
    if (!delta && typeof call.id !== 'string') throw fail(`${at}[${k}].id`, 'must be a string');
    optString(call, 'id', `${at}[${k}]`, fail);
    optString(call, 'type', `${at}[${k}]`, fail);
    if (delta) optNumber(call, 'index', `${at}[${k}]`, fail);
    if (delta && call.function === undefined) return;
    const fn = object(call.function, `${at}[${k}].function`, fail);
    if (!delta && typeof fn.name !== 'string') throw fail(`${at}[${k}].function.name`, 'must be a string');
    optString(fn, 'name', `${at}[${k}].function`, fail);
    optString(fn, 'arguments', `${at}[${k}].function`, fail);
  });
}

function usage(v: unknown, at: string, fail: Fail): void {
  if (v === undefined || v === null) return;
  const u = object(v, at, fail);
  for (const key of ['prompt_tokens', 'completion_tokens', 'total_tokens']) optNumber(u, key, at, fail);
  for (const key of ['prompt_tokens_details', 'completion_tokens_details']) if (u[key] !== undefined && u[key] !== null) object(u[key], `${at}.${key}`, fail);
}

/** The pivot of a client request, after the client codec built it and before a provider codec reads it. */
export function checkChatRequest(req: unknown): asserts req is ChatRequest {
  const fail: Fail = badClientRequest;
  const r = object(req, 'body', fail);
  list(r.messages, 'messages', fail).forEach((m, i) => {
    const at = `messages[${i}]`;
    const msg = object(m, at, fail);
    if (typeof msg.role !== 'string') throw fail(`${at}.role`, 'must be a string');
    content(msg.content, `${at}.content`, fail);
    for (const key of ['name', 'tool_call_id']) optString(msg, key, at, fail);
    optString(msg, 'refusal', at, fail, true);
    toolCalls(msg.tool_calls, `${at}.tool_calls`, fail, false);
  });
  if (r.tools !== undefined && r.tools !== null) {
    list(r.tools, 'tools', fail).forEach((t, i) => {
      const tool = object(t, `tools[${i}]`, fail);
      optString(tool, 'type', `tools[${i}]`, fail);
      if (tool.function === undefined && tool.type !== undefined && tool.type !== 'function') return; // the codec names it
      const fn = object(tool.function, `tools[${i}].function`, fail);
      if (typeof fn.name !== 'string') throw fail(`tools[${i}].function.name`, 'must be a string');
      optString(fn, 'description', `tools[${i}].function`, fail);
      if (fn.parameters !== undefined && fn.parameters !== null) object(fn.parameters, `tools[${i}].function.parameters`, fail);
    });
  }
  // An object choice names one function: {type: 'function', function: {name}}, which every codec reads.
  if (typeof r.tool_choice === 'string' && !TOOL_CHOICES.has(r.tool_choice)) throw fail('tool_choice', 'must be none, auto, required or a function');
  if (r.tool_choice !== undefined && r.tool_choice !== null && typeof r.tool_choice !== 'string') {
    const fn = object(object(r.tool_choice, 'tool_choice', fail).function, 'tool_choice.function', fail);
    if (typeof fn.name !== 'string') throw fail('tool_choice.function.name', 'must be a string');
  }
  if (r.stop !== undefined && r.stop !== null && typeof r.stop !== 'string' && !(Array.isArray(r.stop) && r.stop.every((s) => typeof s === 'string'))) {
    throw fail('stop', 'must be a string or an array of strings');
  }
  if (r.response_format !== undefined && r.response_format !== null) optString(object(r.response_format, 'response_format', fail), 'type', 'response_format', fail);
  if (r.stream_options !== undefined && r.stream_options !== null) object(r.stream_options, 'stream_options', fail);
}

const providerFail = (provider: string): Fail => (field, why) => badProviderResponse(provider, `${field} ${why}`);

/** The pivot of a unary provider answer, before the client codec renders it. */
export function checkChatCompletion(res: unknown, provider: string): asserts res is ChatCompletion {
  const fail = providerFail(provider);
  const r = object(res, 'response', fail);
  list(r.choices, 'choices', fail).forEach((c, i) => {
    const choice = object(c, `choices[${i}]`, fail);
    optNumber(choice, 'index', `choices[${i}]`, fail);
    optString(choice, 'finish_reason', `choices[${i}]`, fail, true);
    const msg = object(choice.message, `choices[${i}].message`, fail);
    content(msg.content, `choices[${i}].message.content`, fail);
    optString(msg, 'refusal', `choices[${i}].message`, fail, true);
    toolCalls(msg.tool_calls, `choices[${i}].message.tool_calls`, fail, false);
  });
  usage(r.usage, 'usage', fail);
}

/** One pivot stream chunk, between the provider's stream decoder and the client's encoder. */
export function checkChatChunk(chunk: unknown, provider: string): asserts chunk is ChatChunk {
  const fail = providerFail(provider);
  const r = object(chunk, 'chunk', fail);
  optString(r, 'id', 'chunk', fail);
  list(r.choices, 'chunk.choices', fail).forEach((c, i) => {
    const at = `chunk.choices[${i}]`;
    const choice = object(c, at, fail);
    optNumber(choice, 'index', at, fail);
    optString(choice, 'finish_reason', at, fail, true);
    // Some OpenAI-compatible servers send a choice without a delta (a finish_reason alone): read as an empty one.
    if (choice.delta === undefined || choice.delta === null) choice.delta = {};
    const delta = object(choice.delta, `${at}.delta`, fail);
    optString(delta, 'content', `${at}.delta`, fail, true);
    optString(delta, 'refusal', `${at}.delta`, fail, true);
    toolCalls(delta.tool_calls, `${at}.delta.tool_calls`, fail, true);
  });
  usage(r.usage, 'chunk.usage', fail);
}
