// The upstream side of the codec contract: where a provider's requests go, its wire format to and from the pivot,
// its errors, and the optional per-attempt hooks (credentials, request signing, non-SSE stream framing).
import type { SseEvent } from '../index.js';
import type { ChatCompletion, ChatRequest } from './pivot.js';
import type { EmbedUpstreamCodec } from './embed-api.js';
import type { HeaderMap, JsonObject, ProviderError, ProviderOperation } from './api.js';
import type { CodecContext, StreamDecoder } from './codec-context.js';

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
