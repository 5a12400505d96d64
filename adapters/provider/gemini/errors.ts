// Gemini error bodies ({"error":{code,message,status,details}}) ⇄ the neutral ProviderError. Gemini's retry delay
// lives in a google.rpc.RetryInfo detail; it becomes Retry-After for other clients and back.
import { geminiErrorBody, headerValue, isPlainObject, kindFromStatus, type HeaderMap, type JsonObject, type ProviderError, type ProviderErrorKind, type RenderedError } from '../../../core/llm/index.js';

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const KIND_BY_STATUS: Record<string, ProviderErrorKind> = {
  INVALID_ARGUMENT: 'invalid_request',
  FAILED_PRECONDITION: 'invalid_request',
  OUT_OF_RANGE: 'invalid_request',
  UNAUTHENTICATED: 'authentication',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
  RESOURCE_EXHAUSTED: 'rate_limit',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'timeout',
  INTERNAL: 'server',
};
/** The neutral form of a Gemini error object (a response body's `error`, or one inside a stream event). */
export function geminiErrorFrom(status: number, e: JsonObject, headers: HeaderMap = {}): ProviderError {
  const code = typeof e.status === 'string' ? e.status : undefined;
  const err: ProviderError = {
    status: typeof e.code === 'number' && status === 200 ? e.code : status,
    kind: (code !== undefined ? KIND_BY_STATUS[code] : undefined) ?? kindFromStatus(status),
    message: typeof e.message === 'string' ? e.message : `The provider answered HTTP ${status}.`,
  };
  if (code !== undefined) err.providerType = code;
  // Gemini answers a bad key with 400 INVALID_ARGUMENT; other APIs (and their SDKs) call it 401.
  const info = Array.isArray(e.details) ? e.details.find((d) => isPlainObject(d) && d.reason === 'API_KEY_INVALID') : undefined;
  if (info !== undefined) {
    err.kind = 'authentication';
    err.status = 401;
  }
  const header = headerValue(headers, 'retry-after');
  const delay = Array.isArray(e.details)
    ? e.details.find((d): d is JsonObject => isPlainObject(d) && d['@type'] === RETRY_INFO && typeof d.retryDelay === 'string')
    : undefined;
  const seconds = delay ? Number.parseFloat(String(delay.retryDelay)) : Number.NaN;
  if (header !== undefined && header.trim() !== '') err.retryAfter = header.trim();
  else if (Number.isFinite(seconds)) err.retryAfter = String(Math.ceil(seconds));
  return err;
}

export function parseGeminiError(status: number, headers: HeaderMap, body: Buffer): ProviderError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  // Errors of a streamed call may come as a one-element JSON array.
  const top = Array.isArray(parsed) ? parsed[0] : parsed;
  if (isPlainObject(top) && isPlainObject(top.error)) return geminiErrorFrom(status, top.error, headers);
  const text = body.toString('utf8').trim().slice(0, 500);
  return geminiErrorFrom(status, { message: text || `The provider answered HTTP ${status}.` }, headers);
}

/** Gemini's error body (also a stream element) for `status`, rendered by the LLM layer. */
export function geminiErrorObject(err: ProviderError, status: number): JsonObject {
  return geminiErrorBody(err, status);
}

/** Gemini never answers 529: an overloaded provider becomes 503 UNAVAILABLE. */
export function renderGeminiError(err: ProviderError): RenderedError {
  const status = err.status === 529 ? 503 : err.status < 400 ? 502 : err.status;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
  if (err.retryAfter !== undefined) headers['retry-after'] = err.retryAfter;
  return { status, headers, body: geminiErrorObject(err, status) };
}
