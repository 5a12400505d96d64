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
export const keysAdminUnauthorized = defineErrorCode('DGP_ERR_KEYS_ADMIN_UNAUTHORIZED', 401, {
  owner: 'dgp.filter.llm.keys',
  summary: 'A key-management call (/admin/v1/keys…, /key/generate and the other LiteLLM aliases) without the master key or the admin token.',
  fix: 'Send Authorization: Bearer <master_key> (or the admin token); the key API exists only when master_key is set.',
});
export const keysAdminInvalid = defineErrorCode('DGP_ERR_KEYS_ADMIN_INVALID', 400, {
  owner: 'dgp.filter.llm.keys',
  summary: 'A key-management request body or query failed validation: an unknown field, a LiteLLM field this gateway does not support, a wrong type, a bad budget or date.',
  fix: 'The message names each offending field; docs/keys-and-budgets.md lists the accepted fields of every admin endpoint.',
});
export const keysAdminNotFound = defineErrorCode('DGP_ERR_KEYS_ADMIN_NOT_FOUND', 404, {
  owner: 'dgp.filter.llm.keys',
  summary: 'A key-management call named a key, team or user that does not exist.',
  fix: 'List the records (GET /admin/v1/keys, /key/list) for valid ids; a key may be named by id, plaintext or hash.',
});
