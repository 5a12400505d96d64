// Anthropic error bodies ({"type":"error","error":{type,message}}) ⇄ the neutral ProviderError. Overloaded is 529,
// Anthropic's own status, which its SDKs retry.
import { anthropicErrorBody, headerValue, isPlainObject, kindFromStatus, type HeaderMap, type JsonObject, type ProviderError, type ProviderErrorKind, type RenderedError } from '../../../core/llm/index.js';

const KIND_BY_TYPE: Record<string, ProviderErrorKind> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'authentication',
  permission_error: 'permission',
  billing_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'request_too_large',
  rate_limit_error: 'rate_limit',
  api_error: 'server',
  overloaded_error: 'overloaded',
  timeout_error: 'timeout',
};

/** The neutral form of an Anthropic error object (from a response body or a stream `error` event). */
export function anthropicErrorFrom(status: number, error: unknown, fallbackMessage: string): ProviderError {
  const e = isPlainObject(error) ? error : {};
  const type = typeof e.type === 'string' ? e.type : undefined;
  const err: ProviderError = {
    status,
    kind: (type !== undefined ? KIND_BY_TYPE[type] : undefined) ?? kindFromStatus(status),
    message: typeof e.message === 'string' ? e.message : fallbackMessage,
  };
  if (type !== undefined) err.providerType = type;
  return err;
}

export function parseAnthropicError(status: number, headers: HeaderMap, body: Buffer): ProviderError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const text = body.toString('utf8').trim().slice(0, 500);
  const err = anthropicErrorFrom(status, isPlainObject(parsed) ? parsed.error : undefined, text || `The provider answered HTTP ${status}.`);
  const retryAfter = headerValue(headers, 'retry-after');
  if (retryAfter !== undefined && retryAfter.trim() !== '') err.retryAfter = retryAfter.trim();
  return err;
}

/** Anthropic's error body (also the data of a stream `error` event), rendered by the LLM layer. */
export function anthropicErrorObject(err: ProviderError): JsonObject {
  return anthropicErrorBody(err);
}

export function renderAnthropicError(err: ProviderError): RenderedError {
  const status = err.kind === 'overloaded' ? 529 : err.status < 400 ? 502 : err.status;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (err.retryAfter !== undefined) headers['retry-after'] = err.retryAfter;
  return { status, headers, body: anthropicErrorObject(err) };
}
