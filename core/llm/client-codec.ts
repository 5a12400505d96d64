// The client side of the codec contract: how a codec named after an API (openai, anthropic, gemini) reads its
// clients' requests into the pivot and renders answers, streams and errors back in that API's shape.
import type { ChatCompletion, ChatRequest } from './pivot.js';
import type { EmbedClientCodec } from './embed-api.js';
import type { JsonObject, ProviderError, ProviderOperation } from './api.js';
import type { ClientRequestView, CodecContext, IdPrefixes, RenderedError, StreamEncoder } from './codec-context.js';

/** The client side of an API: only codecs named after an API (openai, anthropic, gemini) provide it. */
export interface ClientCodec {
  /** Operations that can be translated to the pivot (e.g. `chat` for OpenAI, `messages` for Anthropic). */
  readonly chatOperations: readonly ProviderOperation[];
  /**
   * Client codecs of this API's other translatable operations, whose requests and answers have another shape (OpenAI's
   * Responses API beside Chat Completions); clientCodecFor picks the one serving an operation.
   */
  readonly operationCodecs?: Readonly<Partial<Record<ProviderOperation, ClientCodec>>>;
  /** This API's embeddings operations, when it has any. */
  readonly embeddings?: EmbedClientCodec;
  /**
   * The prefixes this API's ids carry (OpenAI `chatcmpl-` / `call_`, Anthropic `msg_` / `toolu_`): a translated answer's
   * response and tool-call ids get them (ids.ts). Absent: ids pass as the provider made them.
   */
  readonly idPrefixes?: IdPrefixes;
  /** The requested model (Gemini: from the path) and whether a stream is wanted. */
  inspect(req: ClientRequestView): { model: string; stream: boolean; includeUsage: boolean };
  /** The client's API key from its usual header (forwarded when the endpoint has no `api_key`, as Pixiu does). */
  credential(req: ClientRequestView): string | undefined;
  /** Request in this API → pivot. Throws 400 DgpErrors for what the pivot cannot carry. */
  toChat(body: unknown, cx: CodecContext): ChatRequest;
  /** Pivot response → this API's response body. */
  fromChat(res: ChatCompletion, cx: CodecContext): JsonObject;
  createEncoder(cx: CodecContext): StreamEncoder;
  /** Content type of this API's streamed response. */
  streamContentType(cx: CodecContext): string;
  renderError(err: ProviderError): RenderedError;
  /** Same-API pass-through with a mapped model: set the model in a request body (no-op where the path holds it). */
  setRequestModel(body: JsonObject, model: string): void;
  /**
   * Same-API pass-through with a mapped model: report `model` in a response body or stream event; returns false when
   * nothing changed. Absent: responses are never relabelled (Gemini names the model in the path, not the body).
   */
  relabel?(obj: JsonObject, model: string): boolean;
  /**
   * Same-API streams whose final usage a filter needs (StreamUsageWanted) while the client did not ask for it: a copy
   * of the request body that makes the upstream report usage, or undefined when nothing needs changing (the client
   * asked already, not a stream, or the API always reports it). Absent: the API reports usage by itself.
   */
  requestStreamUsage?(body: JsonObject): JsonObject | undefined;
  /**
   * Undoes requestStreamUsage on one event of the answer: the bytes the client gets for the event's raw `frame`
   * (empty to drop it), so the client reads the stream it would have read without the change.
   */
  unrequestStreamUsage?(frame: Buffer, event: JsonObject): Buffer;
}

/** The client codec serving `operation`: the API's own, or one of its operationCodecs. */
export function clientCodecFor(codec: ClientCodec, operation: ProviderOperation): ClientCodec {
  return codec.operationCodecs?.[operation] ?? codec;
}
