// Assembles the anthropic codec: Messages API client side, and the upstream with x-api-key, anthropic-version
// (a pass-through keeps the client's), anthropic-beta, and the /v1/messages path.
import { headerValue, type ProviderCodec, type UpstreamTarget } from '../../../core/llm/index.js';
import { anthropicClient } from './client.js';
import { parseAnthropicError } from './errors.js';
import { chatToAnthropicBody, stripSignedToolIds } from './request-from-chat.js';
import { anthropicBodyToChat } from './response.js';
import type { AnthropicConfig } from './schema.js';
import { createAnthropicDecoder } from './stream-decoder.js';

export function anthropicTarget(t: UpstreamTarget): { path: string; headers: Record<string, string> } {
  const base = typeof t.settings.base_path === 'string' ? t.settings.base_path : undefined;
  let path: string;
  if (t.passthrough) {
    const p = base === undefined ? t.passthrough.path : base + t.passthrough.path.replace(/^\/v1(?=\/|$)/, '');
    path = t.passthrough.query === '' ? p : `${p}?${t.passthrough.query}`;
  } else {
    path = `${base ?? '/v1'}/messages`;
  }
  const headers: Record<string, string> = {};
  if (t.apiKey !== '') headers['x-api-key'] = t.apiKey;
  const clientVersion = t.passthrough ? headerValue(t.passthrough.headers, 'anthropic-version') : undefined;
  if (clientVersion === undefined) headers['anthropic-version'] = String(t.settings.anthropic_version ?? '2023-06-01');
  const beta = typeof t.settings.anthropic_beta === 'string' ? t.settings.anthropic_beta : undefined;
  if (beta !== undefined) {
    const clientBeta = t.passthrough ? headerValue(t.passthrough.headers, 'anthropic-beta') : undefined;
    headers['anthropic-beta'] = clientBeta ? `${clientBeta},${beta}` : beta;
  }
  return { path, headers };
}

export function createAnthropicCodec(config: Readonly<AnthropicConfig>): ProviderCodec {
  return {
    name: 'anthropic',
    api: 'anthropic',
    settings: Object.freeze({ anthropic_version: '2023-06-01', default_max_tokens: 4096, response_model: 'requested', ...config }),
    upstream: {
      settingKeys: ['anthropic_version', 'anthropic_beta', 'default_max_tokens', 'base_path'],
      chatOperation: () => 'messages',
      target: anthropicTarget,
      fromChat: chatToAnthropicBody,
      toChat: anthropicBodyToChat,
      createDecoder: createAnthropicDecoder,
      parseError: parseAnthropicError,
      adjustPassthrough: stripSignedToolIds,
    },
    client: anthropicClient,
  };
}
