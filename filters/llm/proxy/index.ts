// Manifest of dgp.filter.llm.proxy: the terminal filter that sends the request to the route's cluster with Pixiu's
// retry policies, fallback and cooldown, streaming the answer back. The only file the plugin loader imports.
import { API_VERSION, type FactoryContext, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import { ProxyFilter } from './filter.js';
import { KIND } from './options.js';
import { ProxyConfigSchema, type ProxyConfig } from './schema.js';

const manifest: PluginManifest<ProxyConfig, ProxyFilter> = Object.freeze({
  kind: KIND,
  type: 'filter' as const,
  terminal: true,
  apiVersion: API_VERSION,
  description: 'Forwards the request to the route cluster: load balancing, retry policies, fallback, cooldown, streaming.',
  // TypeBox types are plain JSON Schema objects at run time; the interface just lacks an index signature.
  configSchema: ProxyConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<ProxyConfig>, fctx: FactoryContext) => new ProxyFilter(config, fctx),
});

export default manifest;
