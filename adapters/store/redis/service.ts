// The Redis store as a host-owned service: one client per deep-equal config, kept across reloads (no reconnect when
// the config is unchanged), reported in GET /ready, closed (QUIT) when no generation uses it any more.
import { defineService } from '../../../core/index.js';
import { redisConnection } from './connection.js';
import { RedisStore, REDIS_STORE_KIND } from './redis-store.js';
import type { RedisStoreConfig } from './schema.js';

export const redisStoreService = defineService<RedisStore, Readonly<RedisStoreConfig>>({
  name: REDIS_STORE_KIND,
  create: (config, ctx) => new RedisStore(config, ctx.log),
  close: (store) => store.close(),
  readiness: (store) => store.readiness(),
  instance: (config) => redisConnection(config).address,
});
