// One spend-ledger row for a request: who (principal), what (the model it was served with — per-model budgets are
// keyed on it — the provider, endpoint and route), the tokens by kind, the cost, the cache outcome and what a hit
// saved, and the status the client got. Written once, under the request's spend id (the primary key: a retried batch
// never adds it twice).
import type { RequestContext } from '../../../../core/index.js';
import { LlmCacheSavedNanos, type CacheOutcome, type SpendRow } from '../../../../core/llm/index.js';
import type { Charge } from './charge.js';
import type { SpendState } from './state.js';

export function ledgerRowOf(ctx: RequestContext, st: SpendState, c: Charge, cache: CacheOutcome | undefined): SpendRow {
  const p = st.principal;
  const u = c.usage;
  return {
    request_id: st.spendId,
    ts: Date.now(),
    key_id: p.key_id,
    team_id: p.team,
    user_id: p.user,
    end_user: p.end_user,
    model: st.model ?? c.model,
    provider: c.provider,
    endpoint: c.endpoint,
    route: ctx.route.id,
    input_tokens: u?.input ?? 0,
    output_tokens: u?.output ?? 0,
    cache_read_tokens: u?.cache_read ?? 0,
    cache_write_tokens: u?.cache_write ?? 0,
    reasoning_tokens: u?.reasoning ?? 0,
    cost_nanos: c.nanos,
    cache: cache ?? null,
    status: ctx.aborted ? 499 : ctx.response.status,
    // A hit's saving, as the cache filter priced it; 0 for a miss (nothing was saved).
    cache_saved_nanos: cache === 'hit' || cache === 'semantic_hit' ? (ctx.get(LlmCacheSavedNanos) ?? 0) : 0,
  };
}
