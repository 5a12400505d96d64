// dgp.filter.llm.ratelimit's error codes, registered with the SDK's defineErrorCode so docs/errors.md lists them. A
// limit is always a 429 (clients wait retry-after and try again); only an unreachable store under
// on_store_error: closed is a 503, as it is the gateway's state and not the caller's.
import { defineErrorCode } from '../../../core/index.js';

const owner = 'dgp.filter.llm.ratelimit';

export const requestsLimited = defineErrorCode('DGP_ERR_RATELIMIT_REQUESTS', 429, {
  owner,
  summary: 'A request-rate rule (requests per second, minute, hour or day; or the key\'s rpm) has no room for this request now.',
  fix: 'Wait retry-after / retry-after-ms (the SDKs do) and retry; the message and the x-ratelimit-* headers name the rule and its limit. The operator can raise the rule\'s limit.',
});
export const tokensLimited = defineErrorCode('DGP_ERR_RATELIMIT_TOKENS', 429, {
  owner,
  summary: "A token-rate rule (tokens per minute, hour or day; or the key's tpm) cannot reserve this request's estimate (prompt + max_tokens) now.",
  fix: 'Wait retry-after and retry, or lower max_tokens: the reservation is the prompt plus max_tokens (or default_output_tokens), settled to the real usage when the answer ends.',
});
export const concurrencyLimited = defineErrorCode('DGP_ERR_RATELIMIT_CONCURRENCY', 429, {
  owner,
  summary: "A concurrency rule (concurrency, or the key's max_parallel_requests) has every slot in use by requests still in flight.",
  fix: 'Send fewer requests at once, or retry after retry-after; a slot is freed when a response ends, fails or the client goes away.',
});
export const requestTooLarge = defineErrorCode('DGP_ERR_RATELIMIT_TOO_LARGE', 429, {
  owner,
  summary: "The request's cost exceeds a rule's whole limit (a token estimate above the tokens per period, or a limit of 0), so it can never be admitted.",
  fix: 'Lower max_tokens or the prompt, or ask the operator to raise the limit; clients are told not to retry (x-should-retry: false).',
});
export const storeUnavailable = defineErrorCode('DGP_ERR_RATELIMIT_STORE_UNAVAILABLE', 503, {
  owner,
  summary: 'The rate-limit store is unreachable and on_store_error is closed, so no request is admitted.',
  fix: 'Bring the store (Redis) back; GET /ready shows it. on_store_error: local keeps limiting in each process meanwhile, open admits unlimited.',
});
export const invalidRules = defineErrorCode('DGP_ERR_RATELIMIT_CONFIG', 500, {
  owner,
  summary: 'A rule sets no limit at all (none of requests, tokens, concurrency; tokens without a period), or two rules share one id.',
  fix: 'Give each rule at least one limit and a distinct id; the message names the rule. Reported when the config is loaded.',
});
