// Paths of a known client API that no codec operation covers (Anthropic /v1/messages/count_tokens, Gemini
// :countTokens and GET /v1beta/models, OpenAI files or batches): forwarded only to an endpoint of the same API, with
// that provider's own credential header (its codec's target: x-api-key + anthropic-version, x-goog-api-key), never a
// blanket Bearer; to an endpoint of another API they are refused with a 400 naming what is translated.
import { buildUpstreamHeaders, endpointOrigin, gatewayUserAgent } from '../../../core/index.js';
import { clientApiOf, detectOperation, geminiPathModel, resolveModel, type ProviderCodec } from '../../../core/llm/index.js';
import { PathOfOtherApi } from './errors.js';
import type { RequestAssemblyInput, UpstreamRequest } from './mapper.js';
import { normalizeScheme } from './options.js';
import type { ProviderCodecs } from './provider-codecs.js';

const TRANSLATED = 'OpenAI chat/completions, responses, completions and embeddings; Anthropic messages; Gemini generateContent, streamGenerateContent, embedContent and batchEmbedContents';
const CREDENTIALS = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key'];

/** A path of a known client API that no codec operation covers (`operation`: detectOperation of its path). */
export function isSidePath(codecs: ProviderCodecs, input: RequestAssemblyInput, operation: ReturnType<typeof detectOperation>): boolean {
  return operation === undefined && codecs.available && clientApiOf(input.ctx) !== 'unknown';
}

/** The upstream request for a side path (isSidePath), undefined where Pixiu's pass-through stays. */
export async function sidePathRequest(codecs: ProviderCodecs, input: RequestAssemblyInput): Promise<UpstreamRequest | undefined> {
  const { ctx, endpoint } = input;
  const api = clientApiOf(ctx);
  const kind = codecs.kindOf(endpoint);
  const provider: ProviderCodec | undefined = codecs.ready(kind) ?? (await codecs.get(kind).catch(() => undefined));
  if (provider === undefined) return undefined;
  const { method, path } = ctx.request;
  if (provider.api !== api) {
    throw PathOfOtherApi(`${method} ${path} is a path of the ${api} API that the gateway does not translate, and endpoint "${endpoint.id}" speaks the ${provider.api} API`, {
      hint: `send it to an endpoint of the ${api} API, or use an operation the gateway translates: ${TRANSLATED}`,
      details: { api, endpoint_api: provider.api },
    });
  }
  if (api === 'openai') return undefined;
  const llm = endpoint.llmMeta;
  const apiKey = typeof llm?.api_key === 'string' ? llm.api_key : '';
  const requested = geminiPathModel(path) ?? '';
  const forced = typeof llm?.options === 'object' && llm.options !== null ? (llm.options as Record<string, unknown>).model : undefined;
  const model = typeof forced === 'string' && forced !== '' ? forced : resolveModel(llm?.model_map, requested);
  const options = typeof llm?.options === 'object' && llm.options !== null ? (llm.options as Record<string, unknown>) : {};
  const settings = { ...provider.settings, ...Object.fromEntries(provider.upstream.settingKeys.filter((k) => options[k] !== undefined).map((k) => [k, options[k]])) };
  const target = provider.upstream.target({
    operation: 'chat',
    model,
    stream: false,
    apiKey,
    passthrough: { path, query: ctx.request.query, headers: ctx.request.headers },
    settings,
  });
  const body = input.body.length === 0 && (method === 'GET' || method === 'HEAD') ? undefined : input.body;
  const fetched = provider.upstream.authorize === undefined ? {} : await provider.upstream.authorize({ settings, apiKey });
  return {
    origin: endpointOrigin(endpoint, normalizeScheme(llm?.scheme) ?? input.scheme),
    method: method.toUpperCase(),
    path: target.path,
    // The client's credentials never travel; the provider's own header carries the endpoint's key.
    headers: buildUpstreamHeaders(ctx.request.headers, { inject: { 'user-agent': gatewayUserAgent(), ...target.headers, ...fetched }, dropClientCredentials: true, drop: [...CREDENTIALS, 'content-length', 'host'] }),
    body,
  };
}
