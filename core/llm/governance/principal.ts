// Who is calling: the principal a virtual key or a JWT resolves to, published by dgp.filter.llm.keys as the
// PrincipalAttr attribute for the filters after it (budgets, rate limits, cache, audit).
import { defineAttribute } from '../../index.js';
import type { BudgetDuration } from './budget-window.js';
import type { ModelBudget } from './store-types.js';

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
}

export const NO_LIMITS: PrincipalLimits = Object.freeze({
  max_budget_nanos: null, budget_duration: null, soft_budget_nanos: null, rpm: null, tpm: null,
  max_parallel_requests: null, model_budgets: {}, fallback_model: null,
});

/** The request's principal, frozen; set by dgp.filter.llm.keys once the client's key or token resolved. */
export const PrincipalAttr = defineAttribute<Readonly<Principal>>('dgp.llm.principal');
