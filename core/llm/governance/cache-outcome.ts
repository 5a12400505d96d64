// The response cache's verdict for one request, published by a cache filter so the spend ledger and the logs can say
// whether an answer cost an upstream call. Absent: no cache filter looked at the request.
import { defineAttribute } from '../../index.js';
import type { CacheOutcome } from './store-types.js';

export const LlmCacheOutcome = defineAttribute<CacheOutcome>('dgp.llm.cache_outcome');
