// Manifest of dgp.adapter.provider.anthropic: the Messages API (x-api-key, anthropic-version), translated to and from
// the OpenAI pivot. The only file the loader imports.
import { API_VERSION, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import { type ProviderCodec } from '../../../core/llm/index.js';
import { createAnthropicCodec } from './codec.js';
import { AnthropicConfigSchema, type AnthropicConfig } from './schema.js';

const manifest: PluginManifest<AnthropicConfig, ProviderCodec> = Object.freeze({
  kind: 'dgp.adapter.provider.anthropic',
  type: 'provider',
  apiVersion: API_VERSION,
  description: 'Anthropic Messages API wire format: x-api-key and anthropic-version, translated to and from OpenAI and Gemini.',
  configSchema: AnthropicConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<AnthropicConfig>) => createAnthropicCodec(config),
});

export default manifest;
