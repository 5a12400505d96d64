// Manifest of dgp.filter.ai.kvcache: KV-cache-aware routing for vLLM clusters — LMCache lookup (Pixiu) or prefix
// affinity with bounded load — plus background LMCache cache management. The only file the plugin loader imports.
import { API_VERSION, defineFilter, type FactoryContext } from '../../../core/index.js';
import { KvcacheFilter } from './filter.js';
import { KIND } from './options.js';
import { KvcacheConfigSchema, type KvcacheConfig } from './schema.js';

export default defineFilter({
  kind: KIND,
  apiVersion: API_VERSION,
  description: 'KV-cache-aware routing: prefers the vLLM endpoint holding the prompt (LMCache lookup or prefix affinity); background LMCache pin/compress/evict.',
  configSchema: KvcacheConfigSchema,
  create: (config: Readonly<KvcacheConfig>, fctx: FactoryContext) => new KvcacheFilter(config, fctx),
});
