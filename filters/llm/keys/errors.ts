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

const owner = 'dgp.filter.llm.keys';
export const keyMissing = defineErrorCode('DGP_ERR_KEYS_MISSING', 401, {
  owner,
  summary: 'The request carries no client key: no Authorization: Bearer, x-api-key, x-goog-api-key header or ?key= parameter.',
  fix: "Send the virtual key the way the client's SDK sends its API key (OpenAI: Authorization: Bearer; Anthropic: x-api-key; Gemini: x-goog-api-key).",
});
export const keyInvalid = defineErrorCode('DGP_ERR_KEYS_INVALID', 401, {
  owner,
  summary: 'The client key is not a key this gateway knows (not in keys:, not in the key store).',
  fix: 'Check the key; a key removed from conf.yaml or deleted from the store stops working within the cache TTL.',
});
export const keyExpired = defineErrorCode('DGP_ERR_KEYS_EXPIRED', 401, {
  owner,
  summary: 'The client key has expired.',
  fix: 'Ask the operator for a new key or a later expires_at.',
});
export const keyBlocked = defineErrorCode('DGP_ERR_KEYS_BLOCKED', 401, {
  owner,
  summary: 'The client key is blocked, or the team or user it belongs to is (the message says which).',
  fix: 'Ask the operator to unblock it (blocked: false on the key, team or user: conf.yaml or the admin API).',
});
export const modelNotAllowed = defineErrorCode('DGP_ERR_KEYS_MODEL_NOT_ALLOWED', 403, {
  owner,
  summary: "The requested model is not in the key's models allow-list.",
  fix: "Use one of the key's models, or add the model (or a * pattern) to its models list.",
});
export const routeNotAllowed = defineErrorCode('DGP_ERR_KEYS_ROUTE_NOT_ALLOWED', 403, {
  owner,
  summary: "The matched route is not in the key's routes allow-list.",
  fix: "Call a route the key allows, or add the route's id to its routes list.",
});
export const endpointKeyMissing = defineErrorCode('DGP_ERR_KEYS_ENDPOINT_KEY_MISSING', 500, {
  owner,
  summary: "An endpoint of the route's cluster has no llm_meta.api_key: with dgp.filter.llm.keys the client's key is never forwarded, so the upstream would get no credential.",
  fix: 'Set llm_meta.api_key on the endpoint, or allow_keyless_endpoints: true on the keys filter for local models that need no key.',
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
export const keysAdminNeedsStore = defineErrorCode('DGP_ERR_KEYS_ADMIN_NO_STORE', 500, {
  owner,
  summary: 'dgp.filter.llm.keys has a master_key (the admin key API) but no store to keep the keys it creates.',
  fix: 'Set store: <id> to a dgp.adapter.store.sqlite or dgp.adapter.store.postgres adapter, or leave master_key empty.',
});
export const unknownPrice = defineErrorCode('DGP_ERR_KEYS_UNKNOWN_PRICE', 403, {
  owner,
  summary: 'The key (or its team, user or end user) has a budget, and the price book has no price for the requested model, so the request could not be charged against it (budgets.unknown_price: block).',
  fix: 'Give the model a price in the override file (prices:, docs/pricing.md; 0 for a free local model), or set budgets.unknown_price: allow to admit unpriced models at cost 0.',
});
