// The embeddings side of the provider codec contract (api.ts): a pivot of its own, since embeddings share nothing
// with chat. OpenAI /v1/embeddings ⇄ Gemini embedContent / batchEmbedContents; a codec without it has no embeddings.
import type { ClientRequestView, CodecContext } from './codec-context.js';
import type { JsonObject, ProviderOperation } from './api.js';

/** What OpenAI's and Gemini's embeddings requests have in common: one vector per input text. */
export interface EmbedRequest {
  model: string;
  input: string[];
  /** OpenAI `dimensions`, Gemini `outputDimensionality`. */
  dimensions?: number;
  /** Gemini only (OpenAI upstreams drop them, with a debug log). */
  taskType?: string;
  title?: string;
}

export interface EmbedResult {
  /** In input order. */
  vectors: number[][];
  /** Input tokens as the upstream reported them; undefined when it reports none (Gemini's API). */
  promptTokens?: number;
}

/** The client side of an API's embeddings operations. */
export interface EmbedClientCodec {
  readonly operations: readonly ProviderOperation[];
  /** Throws 400 DgpErrors for what the pivot cannot carry (OpenAI token arrays, Gemini image parts). */
  toPivot(req: ClientRequestView, cx: CodecContext): EmbedRequest;
  /** `res.promptTokens`: the upstream's figure, else the local count (cx.promptTokens). */
  fromPivot(res: EmbedResult, req: ClientRequestView, cx: CodecContext): JsonObject;
}

/** The provider side of embeddings. */
export interface EmbedUpstreamCodec {
  /** The native operation the request becomes (Gemini: one text → embedContent, more → batchEmbedContents). */
  operation(req: EmbedRequest): ProviderOperation;
  fromPivot(req: EmbedRequest, cx: CodecContext): JsonObject;
  /** A 2xx answer → pivot; throws a 502 DgpError for an answer that is not one. */
  toPivot(body: unknown, req: EmbedRequest, cx: CodecContext): EmbedResult;
}
