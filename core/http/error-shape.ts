// Local error replies in the error shape of the API the client speaks (OpenAI, Anthropic, Gemini) or Pixiu's
// {status,message,error}; the DGP_ERR_* code always travels inside the body.
import type { ClientApi } from '../plugin-api.js';
import type { DgpError } from '../errors.js';

export type ErrorFormat = 'auto' | 'openai' | 'anthropic' | 'gemini' | 'pixiu';

/** The client's API from the request path (issue 6 routes). */
export function detectClientApi(path: string): ClientApi {
  if (path.endsWith('/messages') || path.includes('/messages/count_tokens')) return 'anthropic';
  if (path.includes(':generateContent') || path.includes(':streamGenerateContent') || path.startsWith('/v1beta/')) return 'gemini';
  if (path.startsWith('/v1/') || path.includes('/chat/completions') || path.includes('/completions') || path.includes('/embeddings')) return 'openai';
  return 'unknown';
}

/** Pixiu's fixed messages by status (erroresponse.go). */
const PIXIU_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  404: 'Route not found',
  408: 'Request timeout',
  413: 'Payload too large',
  431: 'Request header fields too large',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

function openAiType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status < 500) return 'invalid_request_error';
  return 'server_error';
}

function anthropicType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529 || status === 503) return 'overloaded_error';
  if (status === 504) return 'timeout_error';
  if (status < 500) return 'invalid_request_error';
  return 'api_error';
}

const GRPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function errorBody(err: DgpError, api: ClientApi, format: ErrorFormat, requestId: string): object {
  const shape = format === 'auto' ? (api === 'unknown' ? 'openai' : api) : format;
  const message = err.hint ? `${err.message} (${err.hint})` : err.message;
  switch (shape) {
    case 'anthropic':
      return { type: 'error', error: { type: anthropicType(err.status), message, code: err.code }, request_id: requestId };
    case 'gemini':
      return {
        error: {
          code: err.status,
          message,
          status: GRPC_STATUS[err.status] ?? (err.status < 500 ? 'FAILED_PRECONDITION' : 'INTERNAL'),
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: err.code, domain: 'dgp-gateway', metadata: { request_id: requestId } }],
        },
      };
    case 'pixiu':
      return { status: err.status, message: PIXIU_MESSAGES[err.status] ?? 'Error', error: message, code: err.code, request_id: requestId };
    default:
      return { error: { message, type: openAiType(err.status), param: null, code: err.code, request_id: requestId } };
  }
}
