// The shapes of one translated attempt: what createTranslation is given (TranslationInput), the upstream request it
// plans, the client response it produces, and the AttemptTranslation object the proxy drives.
import type { EndpointView } from '../index.js';
import type { ClientRequestView, CodecContext, CodecLog } from './codec-context.js';
import type { HeaderMap, WireApi } from './api.js';
import type { ProviderCodec } from './provider-codec.js';
import type { StreamTranslator } from './stream.js';
import type { LlmExchange } from './exchange.js';

export interface TranslationInput {
  /** The API the client speaks (ctx.clientApi). */
  readonly clientApi: WireApi;
  readonly request: ClientRequestView;
  /** The body bytes as received: sent unchanged on a pure pass-through. */
  readonly rawBody: Buffer | undefined;
  readonly endpoint: Pick<EndpointView, 'llmMeta'>;
  /** The codec of `dgp.adapter.provider.<clientApi>` (its client side is used). */
  readonly clientCodec: ProviderCodec;
  /** The codec of `dgp.adapter.provider.<llm_meta.provider>`. */
  readonly providerCodec: ProviderCodec;
  readonly log: CodecLog;
  /** Id source (tests make it deterministic). Default: prefix + 24 random base62-ish characters. */
  readonly newId?: (prefix: string) => string;
  /** Unix seconds. Default: Date.now() / 1000. */
  readonly now?: () => number;
  /** The request's LLM exchange: a translated answer's items and usage are handed to it as they are decoded. */
  readonly exchange?: LlmExchange;
  /** A filter needs the final usage (StreamUsageWanted): a same-API stream asks for it when the client did not. */
  readonly wantUsage?: boolean;
  /** A local count of the prompt's tokens (CodecContext.promptTokens). */
  readonly promptTokens?: number;
}

export interface UpstreamRequestPlan {
  method: string;
  /** Path and query. */
  path: string;
  /** Headers to set; they win over the client's. */
  headers: Record<string, string>;
  /** Client headers that must not travel upstream (credentials; on translation the client API's own headers). */
  dropHeaders: string[];
  /** undefined: send no body. */
  body: Buffer | undefined;
}

export interface ClientResponse {
  status: number;
  /** With keepUpstreamHeaders the upstream's headers (hop-by-hop and content-length removed) plus these; else only these. */
  headers: Record<string, string>;
  keepUpstreamHeaders: boolean;
  body: Buffer | AsyncIterable<Buffer>;
}

export interface AttemptTranslation {
  /** Same API on both sides: the response passes through (relabelled only when the model was mapped). */
  readonly passthrough: boolean;
  /** The client asked for a stream. */
  readonly stream: boolean;
  readonly models: CodecContext['models'];
  /** The endpoint's provider codec. */
  readonly provider: ProviderCodec;
  /** The codec context of this attempt (the provider's decoder needs it to read a passed-through stream). */
  readonly context: CodecContext;
  readonly request: UpstreamRequestPlan;
  /** A complete upstream response: 2xx unary, or any error status. */
  translateBody(status: number, headers: HeaderMap, body: Buffer): ClientResponse & { body: Buffer };
  /** A 2xx streamed upstream response: the status and headers to send now, and the body translator. */
  openStream(status: number, headers: HeaderMap): Omit<ClientResponse, 'body'> & { translator: StreamTranslator };
  /** Routes a committed response by status and body kind; unary bodies are collected (errors: at most 1 MiB). */
  respond(res: { status: number; headers: HeaderMap; body: Buffer | AsyncIterable<Buffer> }): Promise<ClientResponse>;
}
