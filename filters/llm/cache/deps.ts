// What a CacheFilter instance is built from (index.ts builds it once per generation): the config, the entry store
// and its coalescer, the optional semantic index, prices, workers and metrics.
import type { FactoryContext, WorkerPoolApi } from '../../../core/index.js';
import type { PriceBook } from '../../../core/llm/index.js';
import type { Coalescer } from './coalesce.js';
import type { Entries } from './entries.js';
import type { CacheMetrics } from './metrics.js';
import type { CacheConfig } from './schema.js';
import type { Embed } from './semantic/embedder.js';
import type { SemanticIndex } from './semantic/index.js';
import type { SharedVectors } from './semantic/shared.js';
import type { Durations } from './ttl.js';

export interface CacheDeps {
  cfg: Readonly<CacheConfig>;
  durations: Durations;
  entries: Entries;
  coalescer: Coalescer;
  semantic: SemanticIndex | undefined;
  embed: Embed | undefined;
  /** With a shared store: the semantic index's vectors shared between instances. */
  sharedVectors: SharedVectors | undefined;
  book: PriceBook;
  workers: Pick<WorkerPoolApi, 'run'>;
  metrics: CacheMetrics;
  fctx: Pick<FactoryContext, 'providers' | 'clusters' | 'log'>;
}
