// The response cache's verdict for one request, published by a cache filter so the spend ledger and the logs can say
// whether an answer cost an upstream call. Absent: no cache filter looked at the request.
import { defineAttribute } from '../../index.js';
import type { CacheOutcome } from './store-types.js';

export const LlmCacheOutcome = defineAttribute<CacheOutcome>('dgp.llm.cache_outcome');

/**
 * What a cache hit saved, nano-USD (the cost of the answer it replayed, when it was generated), published by the cache
 * filter with a hit so the spend ledger row can carry it. Absent when the saving is unknown.
 */
export const LlmCacheSavedNanos = defineAttribute<number>('dgp.llm.cache_saved_nanos');
