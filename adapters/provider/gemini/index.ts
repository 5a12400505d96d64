// Manifest of dgp.adapter.provider.gemini: generateContent / streamGenerateContent (?alt=sse) with x-goog-api-key,
// translated to and from the OpenAI pivot. The only file the loader imports.
import { API_VERSION, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import { type ProviderCodec } from '../../../core/llm/index.js';
import { createGeminiCodec } from './codec.js';
import { GeminiConfigSchema, type GeminiConfig } from './schema.js';

const manifest: PluginManifest<GeminiConfig, ProviderCodec> = Object.freeze({
  kind: 'dgp.adapter.provider.gemini',
  type: 'provider',
  apiVersion: API_VERSION,
  description: 'Gemini API wire format: generateContent and streamGenerateContent, translated to and from OpenAI and Anthropic; embedContent and batchEmbedContents to and from OpenAI embeddings.',
  configSchema: GeminiConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<GeminiConfig>) => createGeminiCodec(config),
});

export default manifest;
