// Error bodies and stream error events in each client API's own shape, from one neutral description: used for the
// gateway's local replies on LLM routes (renderLlmLocalReply), for mid-stream failures, and by the provider codecs
// when they render a provider's error for a client of another API. The DGP_ERR_* code travels inside when there is one.
import type { DgpError, ErrorFormat, LocalReply, LocalReplyRequest, RequestContext } from '../index.js';
import type { JsonObject, ProviderErrorKind, WireApi } from './api.js';
import { detectClientApi, clientRouteOf, type ClientApi } from './client-api.js';
import { kindFromStatus } from './helpers.js';

/** An error as every API can render it (a ProviderError is one). */
export interface ErrorFacts {
  readonly status: number;
  readonly kind: ProviderErrorKind;
  readonly message: string;
  /** The gateway's DGP_ERR_* code (local errors). */
  readonly code?: string;
  /** The provider's own error type or code (OpenAI puts it in `code` when there is no gateway code). */
  readonly providerType?: string;
  readonly param?: string;
  /** Seconds. */
  readonly retryAfter?: string;
  readonly requestId?: string;
  /**
   * OpenAI's own `type` and `code` for an error it names more precisely than its kind does (its rate limits: type
   * `requests` | `tokens`, code `rate_limit_exceeded`, which SDKs and clients branch on); the gateway's code then goes
   * in `dgp_code`. From a DgpError's `details.openai_type` / `details.openai_code`.
   */
  readonly openaiType?: string;
  readonly openaiCode?: string;
}

/** The neutral form of a gateway error; the hint goes into the message, as users read only the message. */
export function factsOf(err: DgpError, requestId?: string): ErrorFacts {
  const retry = err.details?.['retry_after'];
  const openaiType = err.details?.['openai_type'];
  const openaiCode = err.details?.['openai_code'];
  return {
    status: err.status,
    kind: kindFromStatus(err.status),
    message: err.hint ? `${err.message} (${err.hint})` : err.message,
    code: err.code,
    ...(typeof retry === 'string' || typeof retry === 'number' ? { retryAfter: String(retry) } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(typeof openaiType === 'string' ? { openaiType } : {}),
    ...(typeof openaiCode === 'string' ? { openaiCode } : {}),
  };
}

const OPENAI_TYPE: Record<ProviderErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  overloaded: 'server_error',
  timeout: 'timeout_error',
  server: 'server_error',
};

const ANTHROPIC_TYPE: Record<ProviderErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  overloaded: 'overloaded_error',
  timeout: 'timeout_error',
  server: 'api_error',
};

/** google.rpc.Code names, as Gemini's `error.status` carries them. */
const GEMINI_STATUS: Record<ProviderErrorKind, string> = {
  invalid_request: 'INVALID_ARGUMENT',
  authentication: 'UNAUTHENTICATED',
  permission: 'PERMISSION_DENIED',
  not_found: 'NOT_FOUND',
  request_too_large: 'INVALID_ARGUMENT',
  rate_limit: 'RESOURCE_EXHAUSTED',
  overloaded: 'UNAVAILABLE',
  timeout: 'DEADLINE_EXCEEDED',
  server: 'INTERNAL',
};

/** OpenAI's `error` object: `{message, type, param, code}` (+ `request_id` for local errors, `dgp_code` beside OpenAI's own code). */
export function openAiErrorObject(f: ErrorFacts): JsonObject {
  const code = f.openaiCode ?? f.code ?? f.providerType ?? null;
  const e: JsonObject = { message: f.message, type: f.openaiType ?? OPENAI_TYPE[f.kind], param: f.param ?? null, code };
  if (f.openaiCode !== undefined && f.code !== undefined) e.dgp_code = f.code;
  if (f.requestId !== undefined) e.request_id = f.requestId;
  return e;
}

/** Anthropic's `{"type":"error","error":{type,message}}` (+ `code` and `request_id` for local errors). */
export function anthropicErrorBody(f: ErrorFacts): JsonObject {
  const error: JsonObject = { type: ANTHROPIC_TYPE[f.kind], message: f.message };
  if (f.code !== undefined) error.code = f.code;
  const body: JsonObject = { type: 'error', error };
  if (f.requestId !== undefined) body.request_id = f.requestId;
  return body;
}

/**
 * Gemini's `{"error":{code,message,status,details}}`: a RetryInfo detail for a retry delay, an ErrorInfo detail whose
 * `reason` is the gateway's code. `status` is the HTTP status the body goes with (an error event says it too).
 */
export function geminiErrorBody(f: ErrorFacts, status = f.status): JsonObject {
  const error: JsonObject = { code: status, message: f.message, status: GEMINI_STATUS[f.kind] };
  const details: JsonObject[] = [];
  if (f.retryAfter !== undefined && /^\d+$/.test(f.retryAfter)) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${f.retryAfter}s` });
  if (f.code !== undefined) {
    const info: JsonObject = { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: f.code, domain: 'dgp-gateway' };
    if (f.requestId !== undefined) info.metadata = { request_id: f.requestId };
    details.push(info);
  }
  if (details.length > 0) error.details = details;
  return { error };
}

/** The whole error body a client of `api` parses. */
export function errorBodyFor(api: WireApi, f: ErrorFacts, status = f.status): JsonObject {
  if (api === 'anthropic') return anthropicErrorBody(f);
  if (api === 'gemini') return geminiErrorBody(f, status);
  return { error: openAiErrorObject(f) };
}

/** Gemini streams: SSE with `?alt=sse`, else one JSON array whose elements are the events. */
export const wantsGeminiSse = (query: string): boolean => /(?:^|&)alt=sse(?:&|$)/.test(query);

/**
 * A stream error event for an SSE client of `api`, the form each API's SDK raises as an error: OpenAI
 * `data: {"error":…}`, Anthropic `event: error` with `{"type":"error",…}`, Gemini (`alt=sse`) `data: {"error":…}` with
 * CRLF framing as Google sends it. Undefined for a Gemini JSON-array stream (its encoder adds the array element).
 */
export function streamErrorEvent(api: ClientApi, f: ErrorFacts, query = ''): string | undefined {
  if (api === 'anthropic') return `event: error\ndata: ${JSON.stringify(anthropicErrorBody(f))}\n\n`;
  if (api === 'gemini') {
    if (!wantsGeminiSse(query)) return undefined;
    return `data: ${JSON.stringify(geminiErrorBody(f, streamStatus(f.status)))}\r\n\r\n`;
  }
  return `data: ${JSON.stringify({ error: openAiErrorObject(f) })}\n\n`;
}

/** Inside a 200 stream an error still names a failure status: 5xx for a provider's 2xx-coded event, 503 for 529. */
export function streamStatus(status: number): number {
  return status < 400 ? 500 : status === 529 ? 503 : status;
}

function hasAttributes(req: LocalReplyRequest): req is LocalReplyRequest & Pick<RequestContext, 'get' | 'set' | 'request'> {
  return typeof (req as Partial<RequestContext>).get === 'function' && typeof (req as Partial<RequestContext>).set === 'function';
}

/**
 * The LLM layer's local-reply renderer (a filter's renderLocalReply): the shape of the API the client speaks, or the
 * one `error_format` names; OpenAI's for paths of no known API. Undefined for `pixiu` (the host renders Pixiu's).
 */
export function renderLlmLocalReply(req: LocalReplyRequest, err: DgpError, format: ErrorFormat): LocalReply | undefined {
  if (format === 'pixiu') return undefined;
  const api = format !== 'auto' ? format : hasAttributes(req) ? clientRouteOf(req).api : detectClientApi(req.request.path).api;
  const shape: WireApi = api === 'unknown' ? 'openai' : api;
  const headers = { 'content-type': shape === 'gemini' ? 'application/json; charset=UTF-8' : 'application/json' };
  return { status: err.status, headers, body: errorBodyFor(shape, factsOf(err, req.id)) };
}

/**
 * The LLM layer's stream-error renderer (a filter's renderStreamError): when a filter fails after the stream's head
 * went out, the client gets one error event in its own API's stream framing before the connection is cut.
 */
export function renderLlmStreamError(req: LocalReplyRequest, err: DgpError, format: ErrorFormat): string | undefined {
  if (format === 'pixiu') return undefined;
  const api = format !== 'auto' ? format : hasAttributes(req) ? clientRouteOf(req).api : detectClientApi(req.request.path).api;
  return streamErrorEvent(api === 'unknown' ? 'openai' : api, factsOf(err, req.id), req.request.query);
}
