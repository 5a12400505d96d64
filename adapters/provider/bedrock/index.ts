// Manifest of dgp.adapter.provider.bedrock: the Amazon Bedrock Converse API (SigV4-signed, event-stream framed
// streams), translated from the OpenAI pivot. The only file the loader imports.
import { API_VERSION, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import { type ProviderCodec } from '../../../core/llm/index.js';
import { createBedrockCodec } from './codec.js';
import { BedrockConfigSchema, type BedrockConfig } from './schema.js';

const manifest: PluginManifest<BedrockConfig, ProviderCodec> = Object.freeze({
  kind: 'dgp.adapter.provider.bedrock',
  type: 'provider',
  apiVersion: API_VERSION,
  description: 'Amazon Bedrock Converse / ConverseStream with SigV4 signing, translated from OpenAI, Anthropic and Gemini clients.',
  configSchema: BedrockConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<BedrockConfig>) => createBedrockCodec(config),
});

export default manifest;
