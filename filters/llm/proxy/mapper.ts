// The proxy mapper: the two seams the provider codecs (OpenAI ⇄ Anthropic ⇄ Gemini, translate.ts) fill per attempt —
// building the upstream request from (endpoint, ctx), and turning the committed upstream response into ctx.response.
// Below is Pixiu's pass-through: same method, path and query; the endpoint's key as a Bearer token; the body as received.
import { buildUpstreamHeaders, dropCredentialParams, endpointOrigin, gatewayUserAgent, type EndpointView, type OutgoingHeaders, type RequestContext, type ResponseBody } from '../../../core/index.js';
import { type AttemptTranslation } from '../../../core/llm/index.js';
import { normalizeScheme } from './options.js';

export interface UpstreamRequest {
  /** `scheme://authority` of the endpoint. */
  origin: string;
  method: string;
  /** Path and query, e.g. `/v1/chat/completions?x=1`. */
  path: string;
  headers: OutgoingHeaders;
  /** Sent with an exact Content-Length; undefined sends no body (GET/HEAD without one). */
  body: Buffer | undefined;
  /** The provider translation of this attempt; absent on Pixiu's pure pass-through. */
  translation?: AttemptTranslation;
}

/** What the proxy hands over once it commits to an upstream response. */
export interface CommittedResponse {
  status: number;
  /** Upstream headers after hop-by-hop filtering; multi-value headers stay arrays. */
  headers: Record<string, string | string[]>;
  body: Buffer | AsyncIterable<Buffer>;
  /** The request of the attempt that produced this response. */
  request?: UpstreamRequest;
}

export interface RequestAssemblyInput {
  endpoint: EndpointView;
  ctx: RequestContext;
  /** ctx.request.body(), read once per request and replayed on every attempt. */
  body: Buffer;
  /** The filter's scheme; `llm_meta.scheme` overrides it per endpoint. */
  scheme: 'http' | 'https';
}

export interface ProxyMapper {
  buildRequest(input: RequestAssemblyInput): UpstreamRequest | Promise<UpstreamRequest>;
  applyResponse(ctx: RequestContext, res: CommittedResponse): void | Promise<void>;
  /** Runs in the proxy's onComplete, after the body was released (e.g. to record a translated answer's usage). */
  complete?(ctx: RequestContext): void;
}

const BODYLESS = new Set(['GET', 'HEAD']);

/**
 * The request-target as received (absolute-form targets reduced to path and query); with a gateway key, without the
 * client's credential parameters (`?key=`).
 */
function targetOf(ctx: RequestContext, keyed: boolean): string {
  const { url, path } = ctx.request;
  const query = keyed ? dropCredentialParams(ctx.request.query) : ctx.request.query;
  if (url.startsWith('/') && query === ctx.request.query) return url;
  return query ? `${path}?${query}` : path;
}

export function buildPassthroughRequest({ endpoint, ctx, body, scheme }: RequestAssemblyInput): UpstreamRequest {
  const apiKey = endpoint.llmMeta?.api_key ?? '';
  const inject: Record<string, string> = { 'user-agent': gatewayUserAgent() };
  if (apiKey !== '') inject.authorization = `Bearer ${apiKey}`;
  const method = ctx.request.method.toUpperCase();
  return {
    origin: endpointOrigin(endpoint, normalizeScheme(endpoint.llmMeta?.scheme) ?? scheme),
    method,
    path: targetOf(ctx, apiKey !== ''),
    // With a gateway key the client's own credentials (possibly a gateway key) must not travel upstream.
    headers: buildUpstreamHeaders(ctx.request.headers, { inject, dropClientCredentials: apiKey !== '' }),
    body: body.length === 0 && BODYLESS.has(method) ? undefined : body,
  };
}

export function applyPassthroughResponse(ctx: RequestContext, res: CommittedResponse): void {
  ctx.response.status = res.status;
  // Not copied: the proxy builds a fresh object per attempt (filterResponseHeaders), and nothing else holds it.
  ctx.response.headers = res.headers;
  ctx.response.body = res.body satisfies ResponseBody;
}

export const passthroughMapper: ProxyMapper = {
  buildRequest: buildPassthroughRequest,
  applyResponse: applyPassthroughResponse,
};
