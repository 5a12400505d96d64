// Assembles the openai codec: OpenAI client side, OpenAI wire upstream with Bearer auth and the Pixiu pass-through
// path rule (the client's path and query unchanged unless base_path is set).
import type { ProviderCodec, UpstreamTarget } from '../../../core/llm/index.js';
import { openAiClient } from './client.js';
import type { OpenAiConfig } from './schema.js';
import { OPENAI_OPERATION_PATHS, createOpenAiUpstream } from './upstream.js';

export function openAiTarget(t: UpstreamTarget): { path: string; headers: Record<string, string> } {
  const base = typeof t.settings.base_path === 'string' ? t.settings.base_path : undefined;
  let path: string;
  if (t.passthrough) {
    const p = base === undefined ? t.passthrough.path : base + t.passthrough.path.replace(/^\/v1(?=\/|$)/, '');
    path = t.passthrough.query === '' ? p : `${p}?${t.passthrough.query}`;
  } else {
    path = (base ?? '/v1') + (OPENAI_OPERATION_PATHS[t.operation] ?? '/chat/completions');
  }
  const headers: Record<string, string> = {};
  if (t.apiKey !== '') headers.authorization = `Bearer ${t.apiKey}`;
  return { path, headers };
}

export function createOpenAiCodec(config: Readonly<OpenAiConfig>): ProviderCodec {
  return {
    name: 'openai',
    api: 'openai',
    settings: Object.freeze({ max_tokens_field: 'max_tokens', response_model: 'requested', ...config }),
    upstream: createOpenAiUpstream({ settingKeys: ['base_path', 'max_tokens_field', 'responses_api'], target: openAiTarget }),
    client: openAiClient,
  };
}
