// Manifest of dgp.filter.llm.tokenizer: token usage and latency accounting (Pixiu's counters plus ours), usage
// injection for OpenAI streams, and local estimates in the worker pool. The only file the plugin loader imports.
import { API_VERSION, type FactoryContext, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import { TokenizerFilter } from './filter.js';
import { TokenizerConfigSchema, type TokenizerConfig } from './schema.js';

const manifest: PluginManifest<TokenizerConfig, TokenizerFilter> = Object.freeze({
  kind: 'dgp.filter.llm.tokenizer',
  type: 'filter' as const,
  apiVersion: API_VERSION,
  description: 'Token usage and latency accounting for LLM traffic: Pixiu pixiu_llm_* counters plus dgp_llm_* metrics.',
  // TypeBox types are plain JSON Schema objects at run time; the interface just lacks an index signature.
  configSchema: TokenizerConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<TokenizerConfig>, fctx: FactoryContext) => new TokenizerFilter(config, fctx),
});

export default manifest;
