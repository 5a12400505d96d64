// Manifest of dgp.filter.llm.tokenizer: token usage and latency accounting (Pixiu's counters plus ours), usage
// injection for OpenAI streams, and local estimates in the worker pool. The only file the plugin loader imports.
import { API_VERSION, defineFilter, type FactoryContext } from '../../../core/index.js';
import { TokenizerFilter } from './filter.js';
import { TokenizerConfigSchema, type TokenizerConfig } from './schema.js';

export default defineFilter({
  kind: 'dgp.filter.llm.tokenizer',
  apiVersion: API_VERSION,
  description: 'Token usage and latency accounting for LLM traffic: Pixiu pixiu_llm_* counters plus dgp_llm_* metrics.',
  configSchema: TokenizerConfigSchema,
  create: (config: Readonly<TokenizerConfig>, fctx: FactoryContext) => new TokenizerFilter(config, fctx),
});
