// Assembles the gemini codec: generateContent client side, and the upstream with x-goog-api-key (never the `key`
// query parameter, which would end up in access logs), /<api_version>/models/<model>:<method>, ?alt=sse for streams.
import type { ProviderCodec, UpstreamTarget } from '../../../core/llm/index.js';
import { geminiClient } from './client.js';
import { geminiEmbedUpstream } from './embeddings.js';
import { parseGeminiError } from './errors.js';
import { chatToGeminiBody } from './request-from-chat.js';
import { geminiBodyToChat } from './response.js';
import type { GeminiConfig } from './schema.js';
import { createGeminiDecoder } from './stream-decoder.js';

export function geminiTarget(t: UpstreamTarget): { path: string; headers: Record<string, string> } {
  const model = encodeURIComponent(t.model.replace(/^models\//, ''));
  let path: string;
  if (t.passthrough) {
    const p = t.passthrough.path.replace(/\/models\/[^/:]+:/, `/models/${model}:`);
    const q = new URLSearchParams(t.passthrough.query);
    q.delete('key');
    const query = q.toString();
    path = query === '' ? p : `${p}?${query}`;
  } else {
    const version = typeof t.settings.api_version === 'string' ? t.settings.api_version : 'v1beta';
    path = `/${version}/models/${model}:${t.operation}${t.stream ? '?alt=sse' : ''}`;
  }
  const headers: Record<string, string> = {};
  if (t.apiKey !== '') headers['x-goog-api-key'] = t.apiKey;
  return { path, headers };
}

export function createGeminiCodec(config: Readonly<GeminiConfig>): ProviderCodec {
  return {
    name: 'gemini',
    api: 'gemini',
    settings: Object.freeze({
      api_version: 'v1beta',
      json_schema_mode: 'native',
      thought_signature_fallback: 'skip_thought_signature_validator',
      response_model: 'requested',
      ...config,
    }),
    upstream: {
      settingKeys: ['api_version', 'json_schema_mode', 'thought_signature_fallback'],
      chatOperation: (stream) => (stream ? 'streamGenerateContent' : 'generateContent'),
      target: geminiTarget,
      fromChat: chatToGeminiBody,
      toChat: geminiBodyToChat,
      createDecoder: createGeminiDecoder,
      parseError: parseGeminiError,
      embeddings: geminiEmbedUpstream,
    },
    client: geminiClient,
  };
}
