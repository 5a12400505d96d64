// OpenAI error bodies ({"error":{message,type,param,code}}) ⇄ the neutral ProviderError, with Retry-After kept.
import { headerValue, isPlainObject, kindFromStatus, openAiErrorObject, type HeaderMap, type ProviderError, type RenderedError } from '../../../core/llm/index.js';

/** Retry-After in seconds from `retry-after` or `retry-after-ms` (OpenAI's SDKs honour both). */
export function retryAfterOf(headers: HeaderMap): string | undefined {
  const s = headerValue(headers, 'retry-after');
  if (s !== undefined && s.trim() !== '') return s.trim();
  const ms = Number(headerValue(headers, 'retry-after-ms'));
  return Number.isFinite(ms) && ms > 0 ? String(Math.ceil(ms / 1000)) : undefined;
}

/** The text of a non-JSON error body, shortened; or a generic message. */
export function textMessage(status: number, body: Buffer): string {
  const text = body.toString('utf8').trim().slice(0, 500);
  return text !== '' ? text : `The provider answered HTTP ${status}.`;
}

export function parseOpenAiError(status: number, headers: HeaderMap, body: Buffer): ProviderError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const e = isPlainObject(parsed) && isPlainObject(parsed.error) ? parsed.error : undefined;
  const type = typeof e?.type === 'string' ? e.type : typeof e?.code === 'string' ? e.code : undefined;
  const err: ProviderError = {
    status,
    kind: type === 'insufficient_quota' ? 'rate_limit' : kindFromStatus(status),
    message: typeof e?.message === 'string' ? e.message : textMessage(status, body),
  };
  if (type !== undefined) err.providerType = type;
  if (typeof e?.param === 'string') err.param = e.param;
  const retryAfter = retryAfterOf(headers);
  if (retryAfter !== undefined) err.retryAfter = retryAfter;
  return err;
}

/** OpenAI never answers 529: an overloaded provider becomes 503, which OpenAI SDKs retry. */
export function renderOpenAiError(err: ProviderError): RenderedError {
  const status = err.status === 529 || (err.kind === 'overloaded' && err.status < 500) ? 503 : err.status < 400 ? 502 : err.status;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (err.retryAfter !== undefined) headers['retry-after'] = err.retryAfter;
  return { status, headers, body: { error: openAiErrorObject(err) } };
}

/** The error object of OpenAI's body and stream events; one renderer for every API lives in the LLM layer. */
export { openAiErrorObject };
