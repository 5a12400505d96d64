// Manifest of dgp.filter.ai.kvcache: KV-cache-aware routing for vLLM clusters — LMCache lookup (Pixiu) or prefix
// affinity with bounded load — plus background LMCache cache management. The only file the plugin loader imports.
import { API_VERSION, type FactoryContext, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import { KvcacheFilter } from './filter.js';
import { KIND } from './options.js';
import { KvcacheConfigSchema, type KvcacheConfig } from './schema.js';

const manifest: PluginManifest<KvcacheConfig, KvcacheFilter> = Object.freeze({
  kind: KIND,
  type: 'filter' as const,
  apiVersion: API_VERSION,
  description: 'KV-cache-aware routing: prefers the vLLM endpoint holding the prompt (LMCache lookup or prefix affinity); background LMCache pin/compress/evict.',
  // TypeBox types are plain JSON Schema objects at run time; the interface just lacks an index signature.
  configSchema: KvcacheConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<KvcacheConfig>, fctx: FactoryContext) => new KvcacheFilter(config, fctx),
});

export default manifest;
