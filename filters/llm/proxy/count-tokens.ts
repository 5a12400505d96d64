// Token counting for a cluster of another API: Anthropic's /v1/messages/count_tokens and Gemini's :countTokens sent to
// endpoints that do not speak that API are answered here by the local tokenizer (OpenAI's chat rules, o200k_base) in
// the client API's shape, marked as an estimate in `x-dgp-token-count: estimate`. When an endpoint of the same API
// is there, the request goes upstream as a side path (with that provider's auth header) and the count is exact.
import type { ClusterManagerApi, RequestContext, WorkerPoolApi } from '../../../core/index.js';
import { clientApiOf, isPlainObject, type WireApi } from '../../../core/llm/index.js';
import { anthropicPromptTokens, geminiPromptTokens } from './prompt-count.js';
import type { ProviderCodecs } from './provider-codecs.js';

export const ESTIMATE_HEADER = 'x-dgp-token-count';

/** The API of a token-counting request, or undefined for any other request. */
export function countTokensApi(ctx: RequestContext): WireApi | undefined {
  if (ctx.request.method !== 'POST') return undefined;
  const path = ctx.request.path;
  const api = clientApiOf(ctx);
  if (api === 'anthropic' && path.endsWith('/messages/count_tokens')) return 'anthropic';
  if (api === 'gemini' && /\/models\/[^/]+:countTokens$/.test(path)) return 'gemini';
  return undefined;
}

/**
 * The local answer's body, or undefined when the route's cluster has an endpoint of the client's API (or none at all:
 * the proxy then answers as for any request).
 */
export async function localTokenCount(ctx: RequestContext, api: WireApi, clusters: ClusterManagerApi, codecs: ProviderCodecs, workers: WorkerPoolApi | undefined): Promise<object | undefined> {
  const route = ctx.route.cluster;
  const endpoints = clusters.hasCluster(route) ? clusters.endpoints(route) : [];
  if (endpoints.length === 0 || workers === undefined) return undefined;
  for (const ep of endpoints) {
    const codec = await codecs.get(codecs.kindOf(ep)).catch(() => undefined);
    if (codec === undefined || codec.api === api) return undefined;
  }
  const body = await ctx.request.json<unknown>();
  const obj = isPlainObject(body) ? body : {};
  if (api === 'anthropic') return { input_tokens: await anthropicPromptTokens(ctx, obj, workers) };
  return { totalTokens: await geminiPromptTokens(ctx, obj, workers) };
}
