// dgp.filter.llm.keys's error codes (JWT identity), registered with the SDK's defineErrorCode so docs/errors.md lists them.
import { defineErrorCode } from '../../../core/index.js';

export const jwtInvalid = defineErrorCode('DGP_ERR_KEYS_JWT_INVALID', 401, {
  owner: 'dgp.filter.llm.keys',
  summary: 'A client JWT failed verification: expired, not yet valid, wrong iss or aud, bad signature, an algorithm not accepted, no matching key, or malformed.',
  fix: 'The message names the failed check; issue a fresh token for this gateway (issuer, audience) or fix jwt.issuer / jwt.audience / jwt.clock_skew_seconds.',
});
export const jwksUnavailable = defineErrorCode('DGP_ERR_KEYS_JWKS_UNAVAILABLE', 503, {
  owner: 'dgp.filter.llm.keys',
  summary: 'The JWKS URL could not be fetched in time or did not answer 200 with a key set.',
  fix: 'Check jwt.jwks_url from the gateway host; a cached key set keeps serving known kids meanwhile.',
});
export const jwtConfigInvalid = defineErrorCode('DGP_ERR_KEYS_JWT_CONFIG', 500, {
  owner: 'dgp.filter.llm.keys',
  summary: 'The jwt block is inconsistent: no key source, both jwks_file and jwks_url, an algorithm without its key source, or an unreadable JWKS file.',
  fix: 'Set one of jwks_file / jwks_url for RS256, ES256, EdDSA and hs256_secret for HS256.',
});
export const budgetExceeded = defineErrorCode('DGP_ERR_KEYS_BUDGET_EXCEEDED', 429, {
  owner: 'dgp.filter.llm.keys',
  summary: "A budget of the caller (its key, team, user, end user, or a per-model budget within the key or team) cannot admit the request's worst-case cost in the current window.",
  fix: 'Wait for the window to reset (details.reset_at), raise max_budget_usd, lower max_tokens, or set on_exhaust.fallback_model on the key; clients are told not to retry (x-should-retry: false).',
});
