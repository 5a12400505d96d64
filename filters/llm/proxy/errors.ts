// dgp.filter.llm.proxy's own error codes, registered with the SDK's defineErrorCode so docs/errors.md lists them. Both
// are client faults: answered in the client's API shape, never counted against the endpoint.
import { defineErrorCode } from '../../../core/index.js';

const owner = 'dgp.filter.llm.proxy';

export const RequestTooDeep = defineErrorCode('DGP_ERR_PROXY_REQUEST_TOO_DEEP', 400, {
  owner,
  summary: 'The JSON body nests deeper than the proxy translates (128 levels); it was refused before any translation, and the endpoint was not tried.',
  fix: 'Flatten the body; real chat requests (tools and JSON schemas included) nest far less.',
});

export const RequestUnbuildable = defineErrorCode('DGP_ERR_PROXY_REQUEST_INVALID', 400, {
  owner,
  summary: "The upstream request could not be built or translated from this client request; the endpoint is not blamed (no cooldown, retry or fallback).",
  fix: 'Fix the request body (the message says what failed); when the body is valid for the client API, report it with the request id.',
});

export const ModelNotFound = defineErrorCode('DGP_ERR_PROXY_MODEL_NOT_FOUND', 404, {
  owner,
  summary: "The requested model matches no group of the proxy's model_list (unknown_model: reject), or GET /v1/models/{id} names a model the route does not serve.",
  fix: 'Send one of the models GET /v1/models lists, or add the name (or an alias or `*` pattern) to model_list.',
});

export const PathOfOtherApi = defineErrorCode('DGP_ERR_PROXY_OTHER_API_PATH', 400, {
  owner,
  summary:
    "The path belongs to one client API (e.g. Anthropic's /v1/messages/count_tokens, Gemini's :countTokens) but is no operation the gateway translates, and the endpoint speaks another API; it was refused instead of being forwarded where it cannot work.",
  fix: "Route the path to an endpoint of the same API (llm_meta.provider), or use a translated operation: OpenAI chat/completions, responses, completions, embeddings; Anthropic messages; Gemini generateContent / streamGenerateContent / embedContent / batchEmbedContents.",
});
