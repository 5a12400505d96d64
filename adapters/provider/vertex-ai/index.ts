// Manifest of dgp.adapter.provider.vertex-ai: Gemini and Claude models on Google Cloud Vertex AI, with OAuth2 access
// tokens from a service account. The only file the loader imports.
import { API_VERSION, type FactoryContext, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import { type ProviderCodec } from '../../../core/llm/index.js';
import { createVertexAiCodec } from './codec.js';
import { VertexAiConfigSchema, type VertexAiConfig } from './schema.js';

const manifest: PluginManifest<VertexAiConfig, ProviderCodec> = Object.freeze({
  kind: 'dgp.adapter.provider.vertex-ai',
  type: 'provider',
  apiVersion: API_VERSION,
  description: 'Google Cloud Vertex AI: Gemini (generateContent) and Claude (rawPredict) models, service-account OAuth2 tokens.',
  configSchema: VertexAiConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<VertexAiConfig>, ctx: FactoryContext) => createVertexAiCodec(config, ctx.configDir),
});

export default manifest;
