// The memory store as a host-owned service, shared by dgp.adapter.store.memory and by filters that default to an
// in-process store when their config names none: one store per deep-equal config, kept across reloads (counters
// survive a reload), closed when no generation uses it any more. In a worker of `dgp start --workers N` a store with
// `shared` (the default) lives in the primary process, so every worker sees the same data.
import { PrimaryHostedStore, inClusterWorker } from '../multicore/shared-store.js';
import { defineService } from './define.js';
import { MEMORY_STORE_KIND, MemoryStore, type MemoryStoreOptions } from './memory-store.js';
import type { Store } from './store.js';

/** The options of a memory store nobody configured (dgp.adapter.store.memory's schema defaults). */
export const MEMORY_STORE_DEFAULTS: Readonly<Required<MemoryStoreOptions>> = Object.freeze({
  key_prefix: '',
  max_keys: 100_000,
  sweep_interval_ms: 10_000,
  shared: true,
});

const instanceOf = (options: Readonly<MemoryStoreOptions>): string => options.key_prefix || 'default';

/** An in-process store, or, in a worker of `--workers N` when `shared` is not false, the primary's one for all. */
export function createMemoryStore(options: Readonly<MemoryStoreOptions>): Store {
  if (options.shared !== false && inClusterWorker()) return new PrimaryHostedStore(options, `${MEMORY_STORE_KIND}:${instanceOf(options)}`);
  return new MemoryStore(options);
}

export const memoryStoreService = defineService<Store, Readonly<MemoryStoreOptions>>({
  name: MEMORY_STORE_KIND,
  create: (options) => createMemoryStore(options),
  close: (store) => store.close(),
  readiness: (store) => store.readiness(),
  instance: instanceOf,
});
