// Manifest of dgp.adapter.store.redis: a Store in Redis (ioredis), shared by every gateway instance pointing at the
// same server, that filters reference by the adapter's id (`fctx.store(id)`). The only file the plugin loader imports.
import { API_VERSION, type FactoryContext, type JsonSchema, type PluginManifest, type StoreAdapterInstance } from '../../../core/index.js';
import { RedisStoreConfigSchema, type RedisStoreConfig } from './schema.js';
import { redisStoreService } from './service.js';

export const KIND = 'dgp.adapter.store.redis';

const manifest: PluginManifest<RedisStoreConfig, StoreAdapterInstance> = Object.freeze({
  kind: KIND,
  type: 'adapter' as const,
  apiVersion: API_VERSION,
  description: 'Store in Redis (values with TTL, counters and atomic reservations as server-side scripts), shared across instances.',
  configSchema: RedisStoreConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<RedisStoreConfig>, ctx: FactoryContext): StoreAdapterInstance => {
    // The host owns the client (a service): an unchanged config keeps its connection across reloads.
    const store = ctx.services.get(redisStoreService, config);
    return {
      store,
      // Bounded by connect_timeout and never rejects: an unreachable Redis shows in /ready, calls fail fast.
      start: () => store.whenReady(),
      stop() {},
    };
  },
});

export default manifest;
