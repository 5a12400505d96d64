// Manifest of dgp.adapter.provider.openai: the OpenAI wire format (also DeepSeek, vLLM, Ollama, OpenRouter, Groq…),
// Bearer auth; the pivot of every translation. The only file the loader imports.
import { API_VERSION, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import { type ProviderCodec } from '../../../core/llm/index.js';
import { createOpenAiCodec } from './codec.js';
import { OpenAiConfigSchema, type OpenAiConfig } from './schema.js';

const manifest: PluginManifest<OpenAiConfig, ProviderCodec> = Object.freeze({
  kind: 'dgp.adapter.provider.openai',
  type: 'provider',
  apiVersion: API_VERSION,
  description: 'OpenAI Chat Completions wire format (and OpenAI-compatible servers): pass-through and translation pivot.',
  configSchema: OpenAiConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<OpenAiConfig>) => createOpenAiCodec(config),
});

export default manifest;
