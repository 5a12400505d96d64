// Manifest of dgp.filter.llm.cache: the response cache, exact and (optionally) semantic, one entry for every client
// API, scoped by team by default, with coalescing of identical misses. The only file the plugin loader imports.
import { API_VERSION, defineFilter, parseDuration, type FactoryContext } from '../../../core/index.js';
import { createPriceBook } from '../../../core/llm/index.js';
import { StoreBackend, type CacheBackend } from './backend.js';
import { mountCacheAdmin } from './admin.js';
import { Entries } from './entries.js';
import { CacheFilter } from './filter.js';
import { CacheMetrics } from './metrics.js';
import { CacheConfigSchema, type CacheConfig } from './schema.js';
import { createEmbedder } from './semantic/embedder.js';
import { semanticIndexService } from './semantic/index.js';
import { SharedVectors } from './semantic/shared.js';
import { embedderCluster } from './errors.js';
import { coalescerService, lruService } from './services.js';

export const KIND = 'dgp.filter.llm.cache';

/** Vectors per partition shared through the store: each is read and rewritten whole (a few KB per vector). */
const SHARED_VECTORS_MAX = 200;

export default defineFilter({
  kind: KIND,
  apiVersion: API_VERSION,
  description: 'Response cache for LLM routes: exact (and optionally semantic) matches in pivot form, replayed in every client API; x-dgp-cache says what happened.',
  configSchema: CacheConfigSchema,
  create: (config: Readonly<CacheConfig>, fctx: FactoryContext) => {
    const metrics = new CacheMetrics(fctx.metrics);
    let backend: CacheBackend;
    if (config.store === undefined) {
      const lru = fctx.services.get(lruService, config.max_bytes);
      backend = lru;
    } else backend = new StoreBackend(fctx.store(config.store), config.compress_over);
    const sem = config.semantic?.enabled === true ? fctx.services.get(semanticIndexService, config.semantic.max_entries_per_partition) : undefined;
    const semCfg = config.semantic;
    const embed = sem === undefined || semCfg === undefined ? undefined : createEmbedder(semCfg.embedder, fctx.clusters, semCfg.embedder.type === 'upstream' ? parseDuration(semCfg.embedder.timeout ?? '2s', 'timeout') : 0);
    if (semCfg?.embedder.type === 'upstream' && semCfg.enabled && !fctx.clusters.hasCluster(semCfg.embedder.cluster)) {
      throw embedderCluster(`semantic.embedder.cluster ${JSON.stringify(semCfg.embedder.cluster)} is not a cluster of this config (known: ${fctx.clusters.clusterNames().join(', ') || 'none'})`);
    }
    const durations = {
      ttlMs: parseDuration(config.ttl, 'ttl'),
      maxTtlMs: parseDuration(config.max_ttl, 'max_ttl'),
      coalesceWaitMs: parseDuration(config.coalesce_wait, 'coalesce_wait'),
    };
    mountCacheAdmin(fctx.admin, backend, sem, metrics);
    const where = config.store === undefined ? `in-process LRU of ${config.max_bytes} bytes` : `store ${config.store}`;
    fctx.log.info(`Cache: scope ${config.scope}, ttl ${config.ttl}, ${where}${config.coalesce ? ', coalescing identical misses' : ''}${sem ? `, semantic (threshold ${config.semantic!.threshold})` : ''}.`);
    const entries = new Entries(backend, metrics, fctx.log);
    const sharedVectors = sem !== undefined && config.store !== undefined ? new SharedVectors(entries, Math.min(config.semantic!.max_entries_per_partition, SHARED_VECTORS_MAX)) : undefined;
    return new CacheFilter({ cfg: config, durations, entries, coalescer: fctx.services.get(coalescerService), semantic: sem, embed, sharedVectors, book: createPriceBook({ configDir: fctx.configDir }), workers: fctx.workers, metrics, fctx });
  },
});
