// What an over-budget answer carries: the coded error (429 DGP_ERR_KEYS_BUDGET_EXCEEDED) with the budget, its
// numbers and its reset time, the header that stops SDK retries, and the body each client API expects.
// OpenAI reports exhausted quota as 429 `insufficient_quota`; Anthropic reports a reached spend limit as 429
// `rate_limit_error` with `error_code: enforced_spend_limit_reached` and no retry-after. Both SDKs retry every 429
// unless the reply says `x-should-retry: false`.
import type { DgpError, ErrorFormat, LocalReply, LocalReplyRequest } from '../../../../core/index.js';
import { detectClientApi, formatUsd, renderLlmLocalReply } from '../../../../core/llm/index.js';
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

/** Users read only the message: the hint goes in it. */
const messageOf = (err: DgpError): string => (err.hint ? `${err.message} (${err.hint})` : err.message);

/** The OpenAI-shaped body: `{"error":{"message","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`. */
export function openAiBudgetBody(err: DgpError, requestId?: string): Record<string, unknown> {
  const error: Record<string, unknown> = { message: messageOf(err), type: 'insufficient_quota', param: null, code: 'insufficient_quota', dgp_code: err.code, details: err.details };
  if (requestId !== undefined) error.request_id = requestId;
  return { error };
}

/** The Anthropic-shaped body, as Anthropic answers a reached spend limit. */
export function anthropicBudgetBody(err: DgpError, requestId?: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: 'error',
    error: { type: 'rate_limit_error', message: messageOf(err), details: { error_code: 'enforced_spend_limit_reached', ...err.details }, code: err.code },
  };
  if (requestId !== undefined) body.request_id = requestId;
  return body;
}

/**
 * The keys filter's local-reply renderer: a budget denial in the shape each SDK knows for a spent quota, with
 * x-should-retry: false (Gemini clients get the LLM layer's RESOURCE_EXHAUSTED body, with the header); every other
 * error as the LLM layer renders it.
 */
export function renderKeysLocalReply(req: LocalReplyRequest, err: DgpError, format: ErrorFormat): LocalReply | undefined {
  const reply = renderLlmLocalReply(req, err, format);
  if (reply === undefined || err.code !== budgetExceeded.code) return reply;
  const api = format === 'auto' ? detectClientApi(req.request.path).api : format;
  const headers = { ...reply.headers, ...BUDGET_EXCEEDED_HEADERS };
  if (api === 'anthropic') return { ...reply, headers, body: anthropicBudgetBody(err, req.id) };
  if (api === 'gemini') return { ...reply, headers };
  return { ...reply, headers, body: openAiBudgetBody(err, req.id) };
}
