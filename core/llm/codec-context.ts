// What a provider codec is given and what it creates per attempt: the codec context (log, ids, models, settings),
// the client's request as the proxy has it, and the stream encoder/decoder and rendered-error shapes.
import type { SseEvent } from '../index.js';
import type { HeaderMap, JsonObject, ProviderOperation, StreamItem } from './api.js';

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
