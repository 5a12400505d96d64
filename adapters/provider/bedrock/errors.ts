// Bedrock errors → the neutral ProviderError. Bedrock names the error in the x-amzn-errortype header
// ("ThrottlingException:http://internal.amazon.com/coral/...") and puts {"message"} (some services: "Message") in the
// body; inside a ConverseStream an exception message carries the same name in :exception-type. Signature and key
// failures (403 at AWS) are authentication errors, rendered 401 so client SDKs raise their authentication error.
import { defineErrorCode } from '../../../core/index.js';
import { headerValue, isPlainObject, kindFromStatus, type HeaderMap, type ProviderError, type ProviderErrorKind } from '../../../core/llm/index.js';

export const BedrockCredentialsMissing = defineErrorCode('DGP_ERR_BEDROCK_CREDENTIALS', 500, {
  owner: 'dgp.adapter.provider.bedrock',
  summary: 'A request to a bedrock endpoint could not be signed: no AWS credentials or no region.',
  fix: 'Set access_key_id / secret_access_key (and region) in llm_meta.options or the plugin config, or the AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION environment variables; or a Bedrock API key (bearer_token, AWS_BEARER_TOKEN_BEDROCK).',
});

const AUTH = new Set(['InvalidSignatureException', 'UnrecognizedClientException', 'MissingAuthenticationTokenException', 'IncompleteSignatureException', 'ExpiredTokenException', 'InvalidClientTokenId', 'SignatureDoesNotMatch']);

const KIND_BY_TYPE: Record<string, ProviderErrorKind> = {
  ValidationException: 'invalid_request',
  AccessDeniedException: 'permission',
  ResourceNotFoundException: 'not_found',
  ThrottlingException: 'rate_limit',
  ServiceQuotaExceededException: 'rate_limit',
  ModelNotReadyException: 'overloaded',
  ServiceUnavailableException: 'overloaded',
  ModelTimeoutException: 'timeout',
  ModelErrorException: 'server',
  ModelStreamErrorException: 'server',
  InternalServerException: 'server',
};

/** Statuses of exceptions that arrive inside a 200 stream (the names are lower camel case there). */
const STATUS_BY_TYPE: Record<string, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  ServiceQuotaExceededException: 429,
  ModelNotReadyException: 429,
  ServiceUnavailableException: 503,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ModelStreamErrorException: 424,
  InternalServerException: 500,
};

/** `throttlingException` or `ThrottlingException:http://…` → `ThrottlingException`. */
export function errorTypeName(raw: string): string {
  const name = raw.split(':')[0]!.trim();
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function bedrockErrorFrom(status: number, type: string | undefined, message: string): ProviderError {
  const err: ProviderError = { status, kind: kindFromStatus(status), message };
  if (type === undefined) return err;
  err.providerType = type;
  if (AUTH.has(type)) {
    err.kind = 'authentication';
    err.status = 401;
    return err;
  }
  err.kind = KIND_BY_TYPE[type] ?? err.kind;
  if (status === 200) err.status = STATUS_BY_TYPE[type] ?? 500;
  // Bedrock answers "model not ready" with a 429 that is no quota matter: clients see it as the overload it is.
  if (type === 'ModelNotReadyException') err.status = 503;
  return err;
}

export function parseBedrockError(status: number, headers: HeaderMap, body: Buffer): ProviderError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const obj = isPlainObject(parsed) ? parsed : {};
  const text = body.toString('utf8').trim().slice(0, 500);
  const message = typeof obj.message === 'string' ? obj.message : typeof obj.Message === 'string' ? obj.Message : text || `The provider answered HTTP ${status}.`;
  const header = headerValue(headers, 'x-amzn-errortype');
  const rawType = header ?? (typeof obj.__type === 'string' ? obj.__type.split('#').pop() : undefined);
  const err = bedrockErrorFrom(status, rawType === undefined || rawType === '' ? undefined : errorTypeName(rawType), message);
  const retryAfter = headerValue(headers, 'retry-after');
  if (retryAfter !== undefined && retryAfter.trim() !== '') err.retryAfter = retryAfter.trim();
  return err;
}
