// Manifest of dgp.adapter.provider.azure-openai: Azure OpenAI deployments (deployment path, api-version, `api-key`
// header) speaking the OpenAI wire format. The only file the loader imports.
import { API_VERSION, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import { type ProviderCodec } from '../../../core/llm/index.js';
import { createAzureOpenAiCodec } from './codec.js';
import { AzureOpenAiConfigSchema, type AzureOpenAiConfig } from './schema.js';

const manifest: PluginManifest<AzureOpenAiConfig, ProviderCodec> = Object.freeze({
  kind: 'dgp.adapter.provider.azure-openai',
  type: 'provider',
  apiVersion: API_VERSION,
  description: 'Azure OpenAI: the OpenAI wire format on /openai/deployments/<deployment>/… with api-key and api-version.',
  configSchema: AzureOpenAiConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<AzureOpenAiConfig>) => createAzureOpenAiCodec(config),
});

export default manifest;
