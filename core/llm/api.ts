// The provider codec contract: how a `dgp.adapter.provider.<name>` plugin translates between the client's
// API and its provider's wire format, pivoting through the OpenAI Chat Completions shape (the `Chat*` types of pivot.ts).
// Rules:
// - A codec converts only between its own API and the pivot; `createTranslation` composes two codecs per attempt.
// - Codecs are pure and stateless: per-attempt state lives in the encoders/decoders they create, never in closures;
//   the one exception is a credential cache behind `authorize()` (access tokens outlive attempts by design).
// - A field the target cannot express is dropped with a debug log, or, when dropping it would change the meaning,
//   rejected with a 400 DgpError (DGP_ERR_PROVIDER_UNTRANSLATABLE); docs/providers.md lists every field.
import type { ChatChunk } from './pivot.js';

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

// The pivot types live in pivot.ts, the embeddings contract in embed-api.ts; what a codec is given in
// codec-context.ts, its client and upstream sides in client-codec.ts and upstream-codec.ts, the codec a provider
// plugin returns in provider-codec.ts: all part of this contract, re-exported here.
export type * from './pivot.js';
export type * from './embed-api.js';
export type * from './codec-context.js';
export * from './client-codec.js';
export type * from './upstream-codec.js';
export * from './provider-codec.js';

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

export { isProviderStream } from './stream.js';
export { createTranslation, defaultCodecContext, type StreamTranslator } from './translation.js';
export type {
  TranslationInput,
  AttemptTranslation,
  UpstreamRequestPlan,
  ClientResponse,
} from './translation-types.js';
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
  rejectUntranslatable,
  textOnlyContent,
  embedDimensions,
  isNumberArray,
  describeValue,
  headerValue,
  chatChunk,
  usageChunk,
  reportDropped,
  baseToolId,
  TOOL_ID_SIGNATURE_MARK,
} from './helpers.js';
