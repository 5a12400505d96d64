// Which LLM API a client speaks and which operation it calls, from the request path: the one detector behind local
// error shapes, the proxy's translation and the tokenizer's usage injection. Cached per request in an attribute.
import { defineAttribute, type RequestContext } from '../index.js';
import type { ProviderOperation, WireApi } from './api.js';

/** The client's API; `unknown` for paths none of the three APIs uses. */
export type ClientApi = WireApi | 'unknown';

export interface ClientRoute {
  readonly api: ClientApi;
  /** Set when the path is one of the operations a codec can serve. */
  readonly operation: ProviderOperation | undefined;
}

const GEMINI_OP = /\/models\/[^/]+:(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/;
const GEMINI_METHOD = /\/models\/[^/]+:countTokens$/;
const CHAT: ClientRoute = Object.freeze({ api: 'openai', operation: 'chat' });

/**
 * Operations by their path suffix (what each API's SDK sends, whatever the prefix: `/v1`, `/openai/v1`, a Pixiu
 * route prefix); otherwise the API alone from the path's shape, so that an error on `/v1/messages/count_tokens` or
 * `/v1beta/models` still comes out in the right shape.
 */
export function detectClientApi(path: string): ClientRoute {
  // The most common path first: no Gemini operation path ends this way.
  if (path.endsWith('/chat/completions')) return CHAT;
  const gemini = GEMINI_OP.exec(path);
  if (gemini) return { api: 'gemini', operation: gemini[1] as ProviderOperation };
  if (path.endsWith('/messages')) return { api: 'anthropic', operation: 'messages' };
  if (path.endsWith('/completions')) return { api: 'openai', operation: 'completions' };
  if (path.endsWith('/embeddings')) return { api: 'openai', operation: 'embeddings' };
  if (path.endsWith('/v1/responses') || path === '/responses') return { api: 'openai', operation: 'responses' };
  if (path.includes('/messages/')) return { api: 'anthropic', operation: undefined };
  // A method on a model (`/models/{model}:countTokens`) is Gemini's whatever the version prefix (the GenAI SDK sends
  // some under /v1/); OpenAI's model paths carry no method.
  if (path.startsWith('/v1beta/') || path.includes(':generateContent') || path.includes(':streamGenerateContent') || GEMINI_METHOD.test(path)) {
    return { api: 'gemini', operation: undefined };
  }
  if (path.endsWith('/models')) return { api: 'openai', operation: 'models' };
  if (path.startsWith('/v1/') || path.includes('/chat/completions') || path.includes('/completions') || path.includes('/embeddings')) {
    return { api: 'openai', operation: undefined };
  }
  return { api: 'unknown', operation: undefined };
}

/** The client API and operation of a request path, or undefined when the path is no operation a codec serves. */
export function detectOperation(path: string): { api: WireApi; operation: ProviderOperation } | undefined {
  const r = detectClientApi(path);
  return r.operation === undefined || r.api === 'unknown' ? undefined : { api: r.api, operation: r.operation };
}

/** The request's client route; set it to override what the path says (a filter that rewrote the path, a test). */
export const ClientRouteAttr = defineAttribute<ClientRoute>('dgp.llm.client_route');

/** The request's client route, detected from the path once per request. */
export function clientRouteOf(ctx: Pick<RequestContext, 'get' | 'set' | 'request'>): ClientRoute {
  let r = ctx.get(ClientRouteAttr);
  if (r === undefined) ctx.set(ClientRouteAttr, (r = detectClientApi(ctx.request.path)));
  return r;
}

/** The API the client speaks (the attribute that replaced the host's `ctx.clientApi`). */
export function clientApiOf(ctx: Pick<RequestContext, 'get' | 'set' | 'request'>): ClientApi {
  return clientRouteOf(ctx).api;
}

/** OpenAI embeddings and Gemini embedContent / batchEmbedContents: operations that generate no output tokens. */
export function isEmbedding(operation: ProviderOperation | undefined): boolean {
  return operation === 'embeddings' || operation === 'embedContent' || operation === 'batchEmbedContents';
}
