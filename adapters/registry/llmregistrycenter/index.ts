// Manifest of dgp.adapter.llmregistrycenter (Pixiu's kind): LLM endpoints discovered in Nacos or etcd and added to,
// updated in and removed from the cluster manager while traffic flows. The only file the plugin loader imports.
import { API_VERSION, type FactoryContext, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import { LlmRegistryAdapter } from './adapter.js';
import { LlmRegistryConfigSchema, type LlmRegistryConfig } from './schema.js';

export const KIND = 'dgp.adapter.llmregistrycenter';

const manifest: PluginManifest<LlmRegistryConfig, LlmRegistryAdapter> = Object.freeze({
  kind: KIND,
  type: 'adapter' as const,
  apiVersion: API_VERSION,
  description: 'LLM endpoints from Nacos (naming HTTP API, polled) or etcd (JSON under a key prefix, watched), applied without a reload.',
  // TypeBox types are plain JSON Schema objects at run time; the interface just lacks an index signature.
  configSchema: LlmRegistryConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<LlmRegistryConfig>, ctx: FactoryContext) => new LlmRegistryAdapter(config, ctx),
});

export default manifest;
