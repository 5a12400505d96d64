// Small helpers every provider codec needs (coded errors, data URLs, JSON arguments, status → error kind), kept in
// core because plugins may share code only through the SDK.
import { randomBytes } from 'node:crypto';
import type { DgpError } from '../index.js';
import { ProviderBadRequest, ProviderBadResponse, ProviderUntranslatable } from './errors.js';
import type { ChatChunk, ChatMessage, ChatRequest, ChatUsage, FinishReason, HeaderMap, JsonObject, ProviderErrorKind } from './api.js';
import type { CodecLog } from './codec-context.js';

/** A 400 for a field the target cannot express where dropping it would change the meaning. */
export function untranslatable(field: string, provider: string, why: string): DgpError {
  return ProviderUntranslatable(`${field}: ${why}; the ${provider} API cannot express it.`, {
    hint: 'remove the field or route to a provider that supports it (docs/providers.md)',
    details: { field, provider },
  });
}

/** A 400 for a client request too malformed to translate. */
export function badClientRequest(field: string, why: string): DgpError {
  return ProviderBadRequest(`${field}: ${why}.`, { details: { field } });
}

/** A 502 for a provider response that cannot be parsed or translated. */
export function badProviderResponse(provider: string, why: string, cause?: unknown): DgpError {
  return ProviderBadResponse(`The ${provider} response could not be translated: ${why}.`, {
    cause,
    details: { provider },
  });
}

/** `data:<media type>;base64,<data>` → its parts; undefined for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = /^data:([^;,]+)((?:;[^;,]+)*);base64,(.*)$/s.exec(url);
  if (!m) return undefined;
  return { mediaType: m[1]!.toLowerCase(), data: m[3]! };
}

/** Tool-call arguments (a JSON string) → object; undefined when they are not a JSON object. */
export function parseJsonObject(text: string | undefined): JsonObject | undefined {
  if (text === undefined || text.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/** One SSE event's data as a JSON object; anything else is a DGP_ERR_PROVIDER_* bad-response error naming the provider. */
export function parseStreamEvent(data: string, provider: string): JsonObject {
  let obj: unknown;
  try {
    obj = JSON.parse(data);
  } catch (cause) {
    throw badProviderResponse(provider, `a stream event is not JSON: ${data.slice(0, 200)}`, cause);
  }
  if (!isPlainObject(obj)) throw badProviderResponse(provider, 'a stream event is not a JSON object');
  return obj;
}

/** The error kind an HTTP status means when the body does not say. */
export function kindFromStatus(status: number): ProviderErrorKind {
  switch (status) {
    case 401:
      return 'authentication';
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 408:
    case 504:
      return 'timeout';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit';
    case 503:
    case 529:
      return 'overloaded';
    default:
      return status >= 500 ? 'server' : 'invalid_request';
  }
}

/**
 * A client or provider value as a message may quote it: a string as itself (cut at 100 characters), other scalars
 * as written, objects and arrays by kind. String(v) would print "[object Object]", or throw for `{"toString": 1}`.
 */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return v.length > 100 ? `${v.slice(0, 100)}…` : v;
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

/**
 * Appends content to a conversation whose roles must alternate (Anthropic Messages, Bedrock Converse): content of the
 * same role as the last turn joins it (tool results after tool results, a user message after them).
 */
export function pushTurn<R, B>(turns: Array<{ role: R; content: B[] }>, role: R, content: B[]): void {
  const last = turns[turns.length - 1];
  if (last !== undefined && last.role === role) last.content.push(...content);
  else turns.push({ role, content });
}

/**
 * The check a provider's request builder starts with: throws DGP_ERR_PROVIDER_UNTRANSLATABLE for the first field the
 * target cannot express: a set field of `rejected` (the value says why), `modalities` asking for audio (`why.audio`),
 * or `n` above 1 where the target answers with one message (`why.n`; without it, `n` is the builder's to map).
 */
export function rejectUntranslatable(req: ChatRequest, provider: string, rejected: Readonly<Record<string, string>>, why: { audio: string; n?: string }): void {
  for (const [f, reason] of Object.entries(rejected)) if (req[f] !== undefined && req[f] !== null) throw untranslatable(f, provider, reason);
  if (Array.isArray(req.modalities) && req.modalities.includes('audio')) throw untranslatable('modalities', provider, why.audio);
  if (why.n !== undefined && typeof req.n === 'number' && req.n > 1) throw untranslatable('n', provider, why.n);
}

/** The text of a message that may hold only text (system, developer, tool): parts joined by newlines; others are a 400. */
export function textOnlyContent(m: ChatMessage, at: string): string {
  if (typeof m.content === 'string') return m.content;
  if (!Array.isArray(m.content)) return '';
  return m.content
    .map((p, k) => {
      if (p.type === 'text' && typeof p.text === 'string') return p.text;
      throw badClientRequest(`${at}.content[${k}]`, `a ${m.role} message may only hold text parts`);
    })
    .join('\n');
}

/** An embeddings request's output size (OpenAI `dimensions`, Gemini `outputDimensionality`): a positive integer. */
export function embedDimensions(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw badClientRequest(field, 'must be a positive integer');
  return value;
}

/** An embedding vector as providers answer it: an array of numbers. */
export function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `src` into `dst`: objects recursively, anything else replaced (`llm_meta.options` body overrides). */
export function deepMerge(dst: JsonObject, src: JsonObject): JsonObject {
  for (const [k, v] of Object.entries(src)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    const cur = dst[k];
    if (isPlainObject(v) && isPlainObject(cur)) deepMerge(cur, v);
    else dst[k] = structuredClone(v);
  }
  return dst;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** prefix + 24 random letters and digits, e.g. `msg_01Ab…` (valid in every provider's id pattern). */
export function defaultNewId(prefix: string): string {
  const bytes = randomBytes(24);
  let s = prefix;
  for (const b of bytes) s += ID_ALPHABET[b % ID_ALPHABET.length];
  return s;
}

/** Reads an async body into one Buffer, keeping at most `max` bytes (the rest is read and discarded). */
export async function collectBounded(body: AsyncIterable<Buffer>, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size >= max) continue;
    const take = chunk.subarray(0, max - size);
    parts.push(take);
    size += take.length;
  }
  return Buffer.concat(parts);
}

/** The first value of a header, or undefined. */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** One pivot stream chunk with a single choice, shaped exactly like an OpenAI chat.completion.chunk. */
export function chatChunk(
  base: { id: string; created: number; model: string },
  delta: ChatChunk['choices'][number]['delta'],
  finishReason: FinishReason | null = null,
  index = 0,
): ChatChunk {
  return { id: base.id, object: 'chat.completion.chunk', created: base.created, model: base.model, choices: [{ index, delta, logprobs: null, finish_reason: finishReason }] };
}

/** The final usage chunk (`stream_options.include_usage`): no choices. */
export function usageChunk(base: { id: string; created: number; model: string }, usage: ChatUsage): ChatChunk {
  return { id: base.id, object: 'chat.completion.chunk', created: base.created, model: base.model, choices: [], usage };
}

/** Debug-logs every field of `source` a translation did not handle (dropped because the target cannot express it). */
export function reportDropped(log: CodecLog, provider: string, source: JsonObject, handled: ReadonlySet<string>, where = ''): void {
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined || v === null || handled.has(k)) continue;
    log.debug({ field: where + k, provider }, 'dropped a field the target API cannot express');
  }
}

/**
 * Gemini thought signatures ride in tool-call ids given to other clients: `<id>__thought__<base64url signature>`
 * (adapters/provider/gemini). Other providers do not need the signature and may limit id length (OpenAI: 40).
 */
export const TOOL_ID_SIGNATURE_MARK = '__thought__';

/** The id without a carried thought signature. */
export function baseToolId(id: string): string {
  const at = id.indexOf(TOOL_ID_SIGNATURE_MARK);
  return at < 0 ? id : id.slice(0, at);
}
