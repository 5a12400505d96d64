// The provider codec contract: how a `dgp.adapter.provider.<name>` plugin translates between the client's
// API and its provider's wire format, pivoting through the OpenAI Chat Completions shape (the `Chat*` types below).
// Rules:
// - A codec converts only between its own API and the pivot; `createTranslation` composes two codecs per attempt.
// - Codecs are pure and stateless: per-attempt state lives in the encoders/decoders they create, never in closures;
//   the one exception is a credential cache behind `authorize()` (access tokens outlive attempts by design).
// - A field the target cannot express is dropped with a debug log, or, when dropping it would change the meaning,
//   rejected with a 400 DgpError (DGP_ERR_PROVIDER_UNTRANSLATABLE); docs/providers.md lists every field.
import type { SseEvent } from '../index.js';

export type WireApi = 'openai' | 'anthropic' | 'gemini';
/** The API an upstream speaks: a client API, or one only providers speak (Bedrock's Converse: always translated). */
export type ProviderApi = WireApi | 'bedrock';
export type ProviderOperation =
  | 'chat'
  | 'completions'
  | 'embeddings'
  | 'messages'
  | 'generateContent'
  | 'streamGenerateContent'
  | 'models'
  | 'responses'
  | 'embedContent'
  | 'batchEmbedContents';

export type JsonObject = Record<string, unknown>;
/** Request or response headers with lower-case names (node:http's IncomingHttpHeaders fits). */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

// The pivot types live in pivot.ts, the embeddings contract in embed-api.ts; both are part of this contract.
export type * from './pivot.js';
export type * from './embed-api.js';
import type { EmbedClientCodec, EmbedUpstreamCodec } from './embed-api.js';
import type { ChatRequest, ChatCompletion, ChatChunk } from './pivot.js';

// ---------------------------------------------------------------------------------------------------------------
// Errors and stream items.

export type ProviderErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'request_too_large'
  | 'rate_limit'
  | 'overloaded'
  | 'timeout'
  | 'server';

/** A provider error in neutral form: parsed from one API's error body, rendered in another's. */
export interface ProviderError {
  /** The upstream HTTP status (200 for an error event inside a stream). */
  status: number;
  kind: ProviderErrorKind;
  message: string;
  /** Retry-After value in seconds (from the header, or Gemini's RetryInfo). */
  retryAfter?: string;
  /** The provider's own error type or code, e.g. `overloaded_error`, `RESOURCE_EXHAUSTED`. */
  providerType?: string;
  param?: string;
}

export type StreamItem = { type: 'chunk'; chunk: ChatChunk } | { type: 'error'; error: ProviderError } | { type: 'done' };

// ---------------------------------------------------------------------------------------------------------------
// What a codec is given.

/** pino's Logger satisfies this; tests pass a recorder. */
export interface CodecLog {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface CodecContext {
  readonly log: CodecLog;
  /** The endpoint's provider name (for messages). */
  readonly provider: string;
  /** A fresh id with this prefix (response ids, tool-call ids the provider did not give). */
  newId(prefix: string): string;
  /** Unix seconds, for OpenAI's `created`. */
  now(): number;
  /** The model the client asked for, the model sent upstream, and the model reported back to the client. */
  readonly models: { readonly client: string; readonly upstream: string; readonly reported: string };
  /** The client asked for a stream. */
  readonly stream: boolean;
  /** OpenAI clients: `stream_options.include_usage` was set (a final usage chunk is wanted). */
  readonly includeUsage: boolean;
  /** The client's raw query string (Gemini: `alt=sse` picks SSE over a JSON array stream). */
  readonly clientQuery: string;
  /** The provider's settings: its plugin config overlaid with the endpoint's `llm_meta.options` setting keys. */
  readonly settings: Readonly<JsonObject>;
  /**
   * A local count of the prompt's tokens, when the caller made one: for client APIs that report input tokens before
   * the upstream does (Anthropic's message_start); the upstream's own figure replaces it when it comes.
   */
  readonly promptTokens?: number;
}

/** The client's request as the proxy has it. */
export interface ClientRequestView {
  readonly operation: ProviderOperation;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: HeaderMap;
  /** The parsed JSON body; undefined for a bodiless request (GET /v1/models). */
  readonly body: unknown;
}

export interface StreamEncoder {
  /** Renders pivot items as this API's stream bytes (text). */
  write(item: StreamItem): string;
  /** The upstream ended; returns trailing text (e.g. the `]` of a JSON-array stream). */
  end(): string;
}

export interface StreamDecoder {
  /** One upstream SSE event → pivot items. */
  write(event: SseEvent): StreamItem[];
  /** The upstream ended; emits the final items (`done`, or an error when the stream was cut short). */
  end(): StreamItem[];
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: JsonObject;
}

export interface IdPrefixes {
  readonly response?: string;
  readonly toolCall?: string;
}

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

export interface UpstreamTarget {
  /** The operation in the provider's own API (after translation, e.g. `messages` for a translated `chat`). */
  readonly operation: ProviderOperation;
  readonly model: string;
  readonly stream: boolean;
  readonly apiKey: string;
  /** Set for same-API pass-through: the client's path and query, kept where the provider allows. */
  readonly passthrough?: { path: string; query: string; headers: HeaderMap };
  readonly settings: Readonly<JsonObject>;
}

/** The provider side: where to send, and the provider's wire format ⇄ pivot. */
export interface UpstreamCodec {
  /** `llm_meta.options` keys that are settings of this provider rather than request-body overrides. */
  readonly settingKeys: readonly string[];
  /** The native operation a translated chat request becomes. */
  chatOperation(stream: boolean): ProviderOperation;
  /** Path (with query) and headers to set (auth, version headers, content type). */
  target(t: UpstreamTarget): { path: string; headers: Record<string, string> };
  /** Pivot → this provider's request body. */
  fromChat(req: ChatRequest, cx: CodecContext): JsonObject;
  /** This provider's unary response → pivot. */
  toChat(body: unknown, cx: CodecContext): ChatCompletion;
  createDecoder(cx: CodecContext): StreamDecoder;
  /** Any non-2xx response (body possibly not JSON) → neutral form. */
  parseError(status: number, headers: HeaderMap, body: Buffer): ProviderError;
  /**
   * Same-API pass-through: a copy of `body` with what this provider would refuse fixed (e.g. over-long tool-call ids
   * another provider's answers produced), or undefined when nothing needs fixing (the bytes then go unchanged).
   */
  adjustPassthrough?(body: JsonObject, cx?: CodecContext): JsonObject | undefined;
  /**
   * Credentials fetched per attempt (an OAuth access token, cached by the codec): headers set on the upstream request,
   * awaited before it is sent. Rejects with a DgpError (rendered in the client's API shape) when none can be had.
   */
  authorize?(t: { readonly settings: Readonly<JsonObject>; readonly apiKey: string }): Promise<Record<string, string>>;
  /** Streams framed other than as SSE (Bedrock's binary event stream). Absent: text/event-stream. */
  readonly streamFraming?: StreamFraming;
  /**
   * Request signing (AWS SigV4): called per attempt with the request as it will be sent, after target(); returns the
   * headers to add (e.g. authorization, x-amz-date). Rejects with a DgpError when no credentials are configured.
   */
  sign?(req: SignableRequest, settings: Readonly<JsonObject>): Promise<Record<string, string>>;
  /** Present when the provider has embeddings. */
  readonly embeddings?: EmbedUpstreamCodec;
}

/** Cuts a streamed answer into events for the decoder (the SSE parser's role for SSE streams). */
export interface StreamEventReader {
  /** The next upstream chunk → the events it completes. Throws on bytes that are not the framing (a 502). */
  feed(chunk: Buffer): SseEvent[];
  /** The upstream ended; a partial event left over is a cut stream, which the decoder's end() reports. */
  end(): SseEvent[];
}

export interface StreamFraming {
  /** Media type of the streamed answer, e.g. `application/vnd.amazon.eventstream`. */
  readonly contentType: string;
  createReader(): StreamEventReader;
}

/** The upstream request a signer sees: what goes on the wire, the Host header being the origin's host. */
export interface SignableRequest {
  readonly method: string;
  /** `scheme://host[:port]` of the endpoint. */
  readonly origin: string;
  /** Path and query as sent. */
  readonly path: string;
  /** Headers the codec set (content-type, accept...); only these and host are signed. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
}

/** What a provider plugin's manifest `create(config)` returns. */
export interface ProviderCodec {
  /** The provider name, e.g. `anthropic` (the `<name>` of `dgp.adapter.provider.<name>`). */
  readonly name: string;
  /** The wire API the provider speaks (`azure-openai` speaks `openai`). */
  readonly api: ProviderApi;
  /** The plugin's validated config: the defaults of every setting. */
  readonly settings: Readonly<JsonObject>;
  readonly upstream: UpstreamCodec;
  /** Present when the codec also serves clients of its API. */
  readonly client?: ClientCodec;
  /**
   * A provider hosting models of several APIs (Vertex AI: Gemini and Anthropic models) returns the codec serving one
   * attempt, from the endpoint's settings and the upstream model; absent, this codec serves every attempt.
   */
  select?(settings: Readonly<JsonObject>, model: string): ProviderCodec;
}

/** `llm_meta.provider` labels of OpenAI-compatible servers (Pixiu treats the provider as a label): the openai codec. */
export const OPENAI_COMPATIBLE_PROVIDERS: readonly string[] = [
  'openai-compatible', 'deepseek', 'vllm', 'ollama', 'openrouter', 'aimlapi', 'groq', 'dashscope', 'qwen', 'together', 'fireworks', 'mistral', 'xai',
  'moonshot', 'zhipu', 'siliconflow', 'lmstudio', 'localai', 'sglang', 'tgi', 'perplexity', 'cerebras', 'nvidia',
];

/**
 * The plugin kind serving an endpoint's `llm_meta.provider`: its own `dgp.adapter.provider.<name>` when loaded, else
 * the openai codec (empty, a known OpenAI-compatible label, or unknown: `known: false` lets `dgp validate` warn).
 */
export function resolveProviderKind(provider: string | undefined, isLoaded: (kind: string) => boolean): { kind: string; known: boolean } {
  const name = (provider ?? '').trim().toLowerCase();
  const own = `dgp.adapter.provider.${name}`;
  if (name !== '' && isLoaded(own)) return { kind: own, known: true };
  const known = name === '' || OPENAI_COMPATIBLE_PROVIDERS.includes(name);
  return { kind: 'dgp.adapter.provider.openai', known };
}

/** The client codec serving `operation`: the API's own, or one of its operationCodecs. */
export function clientCodecFor(codec: ClientCodec, operation: ProviderOperation): ClientCodec {
  return codec.operationCodecs?.[operation] ?? codec;
}

/** `llm_meta.model_map`: the exact alias, else the `*` fallback, else the model unchanged. */
export function resolveModel(modelMap: unknown, model: string): string {
  if (typeof modelMap !== 'object' || modelMap === null) return model;
  const map = modelMap as Record<string, unknown>;
  const hit = Object.hasOwn(map, model) ? map[model] : map['*'];
  return typeof hit === 'string' && hit !== '' && hit !== '*' ? hit : model;
}

export { isProviderStream } from './stream.js';
export {
  createTranslation,
  defaultCodecContext,
  type TranslationInput,
  type AttemptTranslation,
  type UpstreamRequestPlan,
  type ClientResponse,
  type StreamTranslator,
} from './translation.js';
export {
  untranslatable,
  badClientRequest,
  badProviderResponse,
  parseDataUrl,
  parseJsonObject,
  parseStreamEvent,
  kindFromStatus,
  isPlainObject,
  pushTurn,
  describeValue,
  headerValue,
  chatChunk,
  usageChunk,
  reportDropped,
  baseToolId,
  TOOL_ID_SIGNATURE_MARK,
} from './helpers.js';
