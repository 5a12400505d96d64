// Assembles the bedrock codec: upstream only (no client speaks Converse, so every request is translated), sent to
// /model/<modelId>/converse or /converse-stream, signed with SigV4 per attempt, streams read from the AWS event
// stream framing.
import type { ProviderCodec, UpstreamTarget } from '../../../core/llm/index.js';
import { parseBedrockError } from './errors.js';
import { createEventStreamReader } from './event-stream.js';
import { chatToConverseBody } from './request-from-chat.js';
import { converseBodyToChat } from './response.js';
import type { BedrockConfig } from './schema.js';
import { signRequest } from './sigv4.js';
import { createConverseDecoder } from './stream-decoder.js';

export const EVENT_STREAM = 'application/vnd.amazon.eventstream';

/** The model id (or an inference profile or model ARN) is one path segment, `:` and `/` percent-encoded as the AWS SDK does. */
export function bedrockTarget(t: UpstreamTarget): { path: string; headers: Record<string, string> } {
  return { path: `/model/${encodeURIComponent(t.model)}/${t.stream ? 'converse-stream' : 'converse'}`, headers: {} };
}

export function createBedrockCodec(config: Readonly<BedrockConfig>): ProviderCodec {
  return {
    name: 'bedrock',
    api: 'bedrock',
    settings: Object.freeze({ signing_name: 'bedrock', response_model: 'requested', ...config }),
    upstream: {
      settingKeys: ['region', 'access_key_id', 'secret_access_key', 'session_token', 'bearer_token', 'signing_name'],
      chatOperation: () => 'chat',
      target: bedrockTarget,
      fromChat: chatToConverseBody,
      toChat: converseBodyToChat,
      createDecoder: createConverseDecoder,
      parseError: parseBedrockError,
      streamFraming: { contentType: EVENT_STREAM, createReader: () => createEventStreamReader('bedrock') },
      sign: signRequest,
    },
  };
}
