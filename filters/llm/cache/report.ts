// What the cache did, told to the client and the access log: the x-dgp-cache header (HIT, HIT_SEMANTIC, COALESCED,
// MISS, REFRESH, BYPASS, SKIP), Age and the semantic similarity of a hit, the key with debug_key, and the cache and
// cache_saved_usd access-log fields.
import { AccessLogFields, type RequestContext } from '../../../core/index.js';
import { formatUsd } from '../../../core/llm/index.js';
import type { Outcome } from './metrics.js';
import type { CacheState } from './state.js';

const HEADER: Record<Outcome, string> = { hit: 'HIT', hit_semantic: 'HIT_SEMANTIC', coalesced: 'COALESCED', miss: 'MISS', bypass: 'BYPASS', refresh: 'REFRESH', skip: 'SKIP' };

/** Sets the response headers and access-log fields that say what the cache did; runs in encode. */
export function reportOutcome(ctx: RequestContext, st: CacheState, debugKey: boolean): void {
  const h = ctx.response.headers;
  h['x-dgp-cache'] = HEADER[st.outcome];
  if (st.outcome !== 'skip') {
    const fields: Record<string, unknown> = { ...ctx.get(AccessLogFields), cache: HEADER[st.outcome] };
    if (st.savedNanos !== undefined) fields.cache_saved_usd = formatUsd(st.savedNanos);
    ctx.set(AccessLogFields, fields);
  }
  if (st.age !== undefined) h.age = String(st.age);
  if (st.similarity !== undefined) h['x-dgp-cache-similarity'] = st.similarity.toFixed(4);
  if (debugKey && st.hash !== '') h['x-dgp-cache-key'] = st.hash;
}
