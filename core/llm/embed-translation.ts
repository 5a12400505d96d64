// Embeddings across APIs: the client's embeddings request → EmbedRequest → the provider's, and its vectors back in
// the client's shape (OpenAI /v1/embeddings ⇄ Gemini embedContent / batchEmbedContents). A provider without
// embeddings (Anthropic) refuses with a 400 naming what it does translate.
import { DgpError } from '../index.js';
import type { ClientCodec } from './client-codec.js';
import type { CodecContext } from './codec-context.js';
import type { EmbedRequest, EmbedUpstreamCodec, JsonObject, WireApi } from './api.js';
import type { ProviderCodec } from './provider-codec.js';
import type { LlmExchange } from './exchange.js';
import { deepMerge } from './helpers.js';
import type { TranslationInput, UpstreamRequestPlan } from './translation-types.js';

export interface EmbedAttempt {
  readonly plan: UpstreamRequestPlan;
  /** A 2xx upstream answer (parsed) → the client's answer. */
  answer(body: JsonObject): JsonObject;
}

const CHAT_SURFACES = 'chat completions, responses (OpenAI), messages (Anthropic), generateContent and streamGenerateContent (Gemini)';

/** The provider's embeddings codec, or the 400 a provider without embeddings answers. */
function upstreamOf(clientApi: WireApi, operation: string, provider: ProviderCodec): EmbedUpstreamCodec {
  const up = provider.upstream.embeddings;
  if (up !== undefined) return up;
  throw new DgpError(
    'DGP_ERR_PROVIDER_UNSUPPORTED',
    `The ${clientApi} operation "${operation}" cannot be translated to the ${provider.name} API: it has no embeddings. Operations translated to ${provider.name}: ${CHAT_SURFACES}.`,
    {
      hint: 'route embeddings to an endpoint whose llm_meta.provider has them: OpenAI(-compatible) /v1/embeddings, or Gemini embedContent / batchEmbedContents',
      details: { operation, provider: provider.name },
    },
  );
}

export function planEmbedding(
  input: TranslationInput,
  client: ClientCodec,
  cx: CodecContext,
  overrides: JsonObject,
  apiKey: string,
  dropHeaders: string[],
): EmbedAttempt {
  const { request, providerCodec: provider } = input;
  const up = upstreamOf(input.clientApi, request.operation, provider);
  const codec = client.embeddings!;
  const pivot: EmbedRequest = { ...codec.toPivot(request, cx), model: cx.models.upstream };
  const body = up.fromPivot(pivot, cx);
  deepMerge(body, overrides);
  const target = provider.upstream.target({ operation: up.operation(pivot), model: cx.models.upstream, stream: false, apiKey, settings: cx.settings });
  const headers = { 'content-type': 'application/json', accept: 'application/json', 'accept-encoding': 'identity', ...target.headers };
  return {
    plan: { method: 'POST', path: target.path, headers, dropHeaders, body: Buffer.from(JSON.stringify(body)) },
    answer(obj) {
      const res = up.toPivot(obj, pivot, cx);
      if (res.promptTokens !== undefined && input.exchange) reportUsage(input.exchange, res.promptTokens);
      const promptTokens = res.promptTokens ?? cx.promptTokens;
      return codec.fromPivot(promptTokens === undefined ? res : { ...res, promptTokens }, request, cx);
    },
  };
}

/** The upstream's input tokens: an embeddings answer has no output. */
function reportUsage(lx: LlmExchange, input: number): void {
  lx.observed = true;
  lx.setUsage({ input, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, total: input }, { prompt_tokens: input, total_tokens: input });
}
