// Config limits (USD, per-model maps as written in conf.yaml) → what the principal and the budget subjects carry
// (nano-USD, null for "no limit"); shared by static keys, static teams / users and JWT budget tiers.
import type { BudgetedRecord, GroupRateLimits, ModelRateLimit, PrincipalLimits } from '../../../core/llm/index.js';
import type { BudgetTierConfig, StaticGroupConfig } from './limits-schema.js';

const NANOS_PER_USD = 1e9;
export const nanos = (usd: number | undefined): number | null => (usd === undefined ? null : Math.round(usd * NANOS_PER_USD));

type LimitFields = Omit<BudgetTierConfig, 'model_limits' | 'priority' | 'on_exhaust'> &
  Partial<Pick<BudgetTierConfig, 'model_limits' | 'on_exhaust'>>;

/** Model-pattern rates with every absent rate as null; undefined when there are none. */
export function modelLimitsOf(m: Readonly<Record<string, { rpm?: number | null; tpm?: number | null }>> | undefined): Record<string, ModelRateLimit> | undefined {
  const entries = Object.entries(m ?? {});
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([pattern, l]) => [pattern, { rpm: l.rpm ?? null, tpm: l.tpm ?? null }]));
}

export function principalLimitsOf(k: LimitFields): PrincipalLimits {
  const model_limits = modelLimitsOf(k.model_limits);
  return {
    max_budget_nanos: nanos(k.max_budget_usd),
    budget_duration: k.budget_duration ?? null,
    soft_budget_nanos: nanos(k.soft_budget_usd),
    rpm: k.rpm ?? null,
    tpm: k.tpm ?? null,
    max_parallel_requests: k.max_parallel_requests ?? null,
    model_budgets: Object.fromEntries(
      Object.entries(k.model_budgets).map(([m, b]) => [m, { max_budget_nanos: nanos(b.max_budget_usd)!, budget_duration: b.budget_duration ?? null }]),
    ),
    fallback_model: k.on_exhaust?.fallback_model ?? null,
    ...(model_limits === undefined ? {} : { model_limits }),
  };
}

/** A static team or user as the record the store would hold. */
export function groupRecordOf(g: StaticGroupConfig): BudgetedRecord {
  const l = principalLimitsOf(g);
  return {
    id: g.id, alias: g.alias ?? null, team_id: null, models: [], metadata: {}, blocked: g.blocked,
    max_budget_nanos: l.max_budget_nanos, budget_duration: l.budget_duration, soft_budget_nanos: l.soft_budget_nanos,
    rpm: l.rpm, tpm: l.tpm, max_parallel_requests: l.max_parallel_requests, model_budgets: l.model_budgets,
    created_at: 0, updated_at: 0,
  };
}

/** A team's or user's rates for the rate-limit filter; undefined when it sets none. */
export function groupRatesOf(r: BudgetedRecord | undefined): GroupRateLimits | undefined {
  if (r === undefined || (r.rpm === null && r.tpm === null && r.max_parallel_requests === null)) return undefined;
  return { rpm: r.rpm, tpm: r.tpm, max_parallel_requests: r.max_parallel_requests };
}
