// Assembles the azure-openai codec: the OpenAI wire format (shared with the openai plugin) sent to
// /openai/deployments/<deployment>/<operation>?api-version=<v> with the `api-key` header. It serves no clients.
import type { ProviderCodec, UpstreamTarget } from '../../../core/llm/index.js';
import { OPENAI_OPERATION_PATHS, createOpenAiUpstream } from '../openai/upstream.js';
import type { AzureOpenAiConfig } from './schema.js';

export function azureTarget(t: UpstreamTarget): { path: string; headers: Record<string, string> } {
  const version = typeof t.settings.api_version === 'string' ? t.settings.api_version : '2024-10-21';
  const op = OPENAI_OPERATION_PATHS[t.operation] ?? '/chat/completions';
  const deployment = typeof t.settings.deployment === 'string' ? t.settings.deployment : t.model;
  let path: string;
  if (version === 'v1') path = `/openai/v1${op}`;
  // Models and the Responses API are not per deployment (a response names its deployment as the body's model).
  else if (t.operation === 'models' || t.operation === 'responses') path = `/openai${op}?api-version=${encodeURIComponent(version)}`;
  else path = `/openai/deployments/${encodeURIComponent(deployment)}${op}?api-version=${encodeURIComponent(version)}`;
  const headers: Record<string, string> = {};
  if (t.apiKey !== '') headers['api-key'] = t.apiKey;
  return { path, headers };
}

export function createAzureOpenAiCodec(config: Readonly<AzureOpenAiConfig>): ProviderCodec {
  return {
    name: 'azure-openai',
    api: 'openai',
    settings: Object.freeze({ api_version: '2024-10-21', max_tokens_field: 'max_tokens', response_model: 'requested', ...config }),
    upstream: createOpenAiUpstream({ settingKeys: ['api_version', 'deployment', 'max_tokens_field', 'responses_api'], target: azureTarget }),
  };
}
