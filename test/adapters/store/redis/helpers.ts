// Redis store tests: a store made exactly as the host makes it (config validated and defaulted against the
// manifest's schema), and a plain ioredis client to look at the server directly.
import { pino } from 'pino';
import manifest from '../../../../adapters/store/redis/index.js';
import { RedisStore } from '../../../../adapters/store/redis/redis-store.js';
import type { RedisStoreConfig } from '../../../../adapters/store/redis/schema.js';
import { validatePluginConfig } from '../../../../core/registry/index.js';

export function redisConfig(raw: Record<string, unknown>): RedisStoreConfig {
  const { config, issues } = validatePluginConfig<RedisStoreConfig>({ manifest }, raw);
  if (issues.length > 0) throw new Error(`bad test config: ${JSON.stringify(issues)}`);
  return config as RedisStoreConfig;
}

export async function redisStore(raw: Record<string, unknown>): Promise<RedisStore> {
  const store = new RedisStore(redisConfig(raw), pino({ level: 'silent' }));
  await store.whenReady();
  return store;
}
