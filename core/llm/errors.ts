// The LLM layer's error codes (provider codecs and translation), registered with the SDK's defineErrorCode so that
// docs/errors.md lists them beside the host's.
import { defineErrorCode } from '../index.js';

const owner = 'dgp-gateway/llm (provider codecs)';

export const ProviderUntranslatable = defineErrorCode('DGP_ERR_PROVIDER_UNTRANSLATABLE', 400, {
  owner,
  summary: "The request uses a feature the endpoint's provider cannot express, and dropping it would change the answer.",
  fix: 'Remove the field named in the message, or route the request to a provider that has it; docs/providers.md lists every field.',
});
export const ProviderUnsupported = defineErrorCode('DGP_ERR_PROVIDER_UNSUPPORTED', 400, {
  owner,
  summary: "The operation has no equivalent in the endpoint's provider API (e.g. embeddings on Anthropic).",
  fix: 'Route this path to a cluster whose endpoints speak the same API, or to a provider that offers the operation.',
});
export const ProviderBadRequest = defineErrorCode('DGP_ERR_PROVIDER_BAD_REQUEST', 400, {
  owner,
  summary: "The request body does not follow the client API's shape closely enough to translate it.",
  fix: 'Fix the field named in the message (see the API reference of the client API).',
});
export const ProviderBadResponse = defineErrorCode('DGP_ERR_PROVIDER_BAD_RESPONSE', 502, {
  owner,
  summary: "The provider's response could not be parsed or translated into the client's API.",
  fix: 'Check the provider and its llm_meta.provider setting; the message quotes what was wrong.',
});
export const ProviderCodecMissing = defineErrorCode('DGP_ERR_PROVIDER_CODEC', 500, {
  owner,
  summary: "No provider codec serves the client's API or the endpoint's llm_meta.provider, or a provider plugin's create() did not return a codec.",
  fix: 'Set llm_meta.provider to a loaded dgp.adapter.provider.<name> plugin (openai, azure-openai, anthropic, gemini); a third-party provider must return { name, api, settings, upstream, client? }.',
});
