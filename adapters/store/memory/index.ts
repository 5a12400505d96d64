// Manifest of dgp.adapter.store.memory: an in-process Store that filters reference by the adapter's id
// (`fctx.store(id)`). The only file the plugin loader imports.
import { API_VERSION, type FactoryContext, type JsonSchema, type PluginManifest, type StoreAdapterInstance } from '../../../core/index.js';
import { MemoryStoreConfigSchema, type MemoryStoreConfig } from './schema.js';
import { memoryStoreService } from './service.js';

export const KIND = 'dgp.adapter.store.memory';

const manifest: PluginManifest<MemoryStoreConfig, StoreAdapterInstance> = Object.freeze({
  kind: KIND,
  type: 'adapter' as const,
  apiVersion: API_VERSION,
  description: 'In-process store (values with TTL, counters, atomic reservations, rate-limit cells) for one gateway, shared by its --workers; the default.',
  configSchema: MemoryStoreConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<MemoryStoreConfig>, ctx: FactoryContext): StoreAdapterInstance => ({
    // The host owns the store (a service): start/stop only mark this generation's use of it.
    store: ctx.services.get(memoryStoreService, config),
    start() {},
    stop() {},
  }),
});

export default manifest;
