// Who is calling: the principal a virtual key or a JWT resolves to, published by dgp.filter.llm.keys as the
// PrincipalAttr attribute for the filters after it (budgets, rate limits, cache, audit).
import { defineAttribute } from '../../index.js';
import type { BudgetDuration } from './budget-window.js';
import type { ModelBudget } from './store-types.js';

/** Request and token rates for one model pattern (a key's `model_limits`); null = no limit. */
export interface ModelRateLimit {
  rpm: number | null;
  tpm: number | null;
}

/** A team's or user's own rates, read by the rate-limit filter; null = no limit. */
export interface GroupRateLimits {
  rpm: number | null;
  tpm: number | null;
  max_parallel_requests: number | null;
}

export interface PrincipalLimits {
  max_budget_nanos: number | null;
  budget_duration: BudgetDuration | null;
  soft_budget_nanos: number | null;
  rpm: number | null;
  tpm: number | null;
  max_parallel_requests: number | null;
  model_budgets: Record<string, ModelBudget>;
  /** on_exhaust.fallback_model: served instead of refusing when a budget cannot admit the request; null = refuse. */
  fallback_model: string | null;
  /** Rates per model within the key, by model pattern (exact or `*` glob, e.g. `gpt-4o*`); absent = none. */
  model_limits?: Readonly<Record<string, ModelRateLimit>>;
}

export interface Principal {
  /** The virtual key's id, or `jwt:<sub>` for a token. */
  key_id: string;
  source: 'key' | 'jwt';
  alias: string | null;
  team: string | null;
  user: string | null;
  /** The caller's own end user (the body's `user` or a header); set per request by the filter. */
  end_user: string | null;
  metadata: Record<string, unknown>;
  /** Allowed models: exact names and `*` globs; empty = every model. */
  models: string[];
  /** Allowed route names; empty = every route. */
  routes: string[];
  expires_at: number | null;
  blocked: boolean;
  /** A JWT's budget tier claim (the filter maps tiers to limits). */
  budget_tier: string | null;
  /** Admission priority of the caller's requests when the gateway queues them (higher first); absent = none. */
  priority?: number;
  limits: PrincipalLimits;
  /** The team's own rates (key store or static config), when it sets any: shared by every key of the team. */
  team_limits?: GroupRateLimits;
  /** The user's own rates, when it sets any: shared by every key of the user. */
  user_limits?: GroupRateLimits;
}

export const NO_LIMITS: PrincipalLimits = Object.freeze({
  max_budget_nanos: null, budget_duration: null, soft_budget_nanos: null, rpm: null, tpm: null,
  max_parallel_requests: null, model_budgets: {}, fallback_model: null,
});

/** The request's principal, frozen; set by dgp.filter.llm.keys once the client's key or token resolved. */
export const PrincipalAttr = defineAttribute<Readonly<Principal>>('dgp.llm.principal');
