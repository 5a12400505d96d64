// What an over-budget answer carries: the coded error (429 DGP_ERR_KEYS_BUDGET_EXCEEDED) with the budget, its
// numbers and its reset time, the header that stops SDK retries, and the body each client API expects.
// OpenAI reports exhausted quota as 429 `insufficient_quota`; Anthropic reports a reached spend limit as 429
// `rate_limit_error` with `error_code: enforced_spend_limit_reached` and no retry-after. Both SDKs retry every 429
// unless the reply says `x-should-retry: false`.
import type { DgpError } from '../../../../core/index.js';
import { formatUsd } from '../../../../core/llm/index.js';
import { budgetExceeded } from '../errors.js';
import type { Budget } from './budgets.js';

export interface BudgetDenial {
  budget: Budget;
  limit_nanos: number;
  /** Settled spend in the window. */
  spent_nanos: number;
  /** Live holds of requests in flight. */
  held_nanos: number;
  /** What this request asked to hold. */
  requested_nanos: number;
  /** When the window ends (ms since the epoch); null for a lifetime budget. */
  reset_at: number | null;
}

export const BUDGET_EXCEEDED_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'x-should-retry': 'false' });

/** The coded error the keys filter renders; `details` has everything both body shapes need. */
export function budgetExceededError(d: BudgetDenial): DgpError {
  const resets = d.reset_at === null ? 'it has no reset (a lifetime budget)' : `it resets at ${new Date(d.reset_at).toISOString()}`;
  const message = `Budget exceeded for ${d.budget.id}: spent $${formatUsd(d.spent_nanos)} plus $${formatUsd(d.held_nanos)} in flight of $${formatUsd(d.limit_nanos)}; this request needs up to $${formatUsd(d.requested_nanos)}; ${resets}.`;
  return budgetExceeded(message, {
    hint: 'wait for the reset, raise the budget, lower max_tokens, or set on_exhaust.fallback_model on the key',
    details: {
      budget: d.budget.id, scope: d.budget.scope, subject: d.budget.subject, model: d.budget.model ?? null,
      limit_usd: formatUsd(d.limit_nanos), spent_usd: formatUsd(d.spent_nanos), held_usd: formatUsd(d.held_nanos),
      requested_usd: formatUsd(d.requested_nanos), reset_at: d.reset_at === null ? null : new Date(d.reset_at).toISOString(),
      openai_type: 'insufficient_quota', anthropic_type: 'rate_limit_error', anthropic_error_code: 'enforced_spend_limit_reached',
    },
  });
}

/** The OpenAI-shaped body: `{"error":{"message","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`. */
export function openAiBudgetBody(err: DgpError): Record<string, unknown> {
  return { error: { message: err.message, type: 'insufficient_quota', param: null, code: 'insufficient_quota', dgp_code: err.code } };
}

/** The Anthropic-shaped body, as Anthropic answers a reached spend limit. */
export function anthropicBudgetBody(err: DgpError): Record<string, unknown> {
  return { type: 'error', error: { type: 'rate_limit_error', message: err.message, details: { error_code: 'enforced_spend_limit_reached' }, dgp_code: err.code } };
}
