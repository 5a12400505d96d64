// Process-wide state that outlives a config generation: the in-process LRU (a reload keeps the entries) and the
// table of misses in flight (a request that started on the old generation still leads its followers on the new one).
import { defineService } from '../../../core/index.js';
import { LruBackend } from './backend.js';
import { Coalescer } from './coalesce.js';

export const lruService = defineService<LruBackend, number>({
  name: 'dgp.filter.llm.cache.lru',
  create: (maxBytes) => new LruBackend(maxBytes),
  readiness: (lru) => ({ ready: true, entries: lru.entries, bytes: lru.bytes }),
  instance: (maxBytes) => String(maxBytes),
});

export const coalescerService = defineService<Coalescer>({
  name: 'dgp.filter.llm.cache.coalesce',
  create: () => new Coalescer(),
});
