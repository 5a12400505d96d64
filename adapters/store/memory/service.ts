// The memory store as a host-owned service: kept across reloads while its config is unchanged, so counters and
// cached values survive a reload; closed when no generation uses it any more.
import { defineService } from '../../../core/index.js';
import { MemoryStore, MEMORY_STORE_KIND } from './memory-store.js';
import type { MemoryStoreConfig } from './schema.js';

export const memoryStoreService = defineService<MemoryStore, Readonly<MemoryStoreConfig>>({
  name: MEMORY_STORE_KIND,
  create: (config) => new MemoryStore(config),
  close: (store) => store.close(),
  readiness: (store) => store.readiness(),
  instance: (config) => config.key_prefix || 'default',
});
