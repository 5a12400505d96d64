// Which budgets a request must pass: the key's, its team's, user's and end user's, and per-model budgets within the
// key or the team. Every one must admit (Bifrost's semantics); each names the ledger query that rebuilds it.
import type { BudgetDuration, ModelBudget, SpendScope } from '../../../../core/llm/index.js';

/** One budget-carrying subject: a key, team, user or end user with its limits (nano-USD). */
export interface BudgetSubject {
  id: string;
  max_budget_nanos: number | null;
  /** null: a lifetime budget (one window from the epoch on). */
  budget_duration: BudgetDuration | null;
  soft_budget_nanos?: number | null;
  /** Per-model budgets (keys and teams only). */
  model_budgets?: Record<string, ModelBudget>;
}

export interface BudgetInput {
  /** The model the request asks for (per-model budgets match it exactly). */
  model: string;
  key?: BudgetSubject | null;
  team?: BudgetSubject | null;
  user?: BudgetSubject | null;
  end_user?: BudgetSubject | null;
}

export interface Budget {
  /** Stable identity, e.g. `key:k1`, `team:a`, `key:k1:model:gpt-4o`: names the counter. */
  id: string;
  scope: Exclude<SpendScope, 'model'>;
  subject: string;
  /** Per-model budgets: the model whose spend counts. */
  model?: string;
  limit_nanos: number;
  duration: BudgetDuration | null;
  soft_nanos: number | null;
}

const SCOPES = ['key', 'team', 'user', 'end_user'] as const;

/** Every budget that applies to the request, key first; subjects without a limit contribute none. */
export function applicableBudgets(input: BudgetInput): Budget[] {
  const out: Budget[] = [];
  for (const scope of SCOPES) {
    const s = input[scope];
    if (!s) continue;
    if (s.max_budget_nanos !== null && s.max_budget_nanos !== undefined) {
      checkLimit(`${scope} ${s.id}`, s.max_budget_nanos);
      out.push({ id: `${scope}:${s.id}`, scope, subject: s.id, limit_nanos: s.max_budget_nanos, duration: s.budget_duration, soft_nanos: s.soft_budget_nanos ?? null });
    }
    if (scope !== 'key' && scope !== 'team') continue;
    const mb = s.model_budgets?.[input.model];
    if (mb !== undefined) {
      checkLimit(`${scope} ${s.id} model ${input.model}`, mb.max_budget_nanos);
      out.push({ id: `${scope}:${s.id}:model:${input.model}`, scope, subject: s.id, model: input.model, limit_nanos: mb.max_budget_nanos, duration: mb.budget_duration, soft_nanos: null });
    }
  }
  return out;
}

function checkLimit(what: string, n: number): void {
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`budget of ${what}: max_budget_nanos must be a safe integer >= 0, got ${n}`);
}

/** Every budget one subject carries: its own and one per model it budgets (for reports; requests use the model's). */
export function subjectBudgets(scope: Budget['scope'], s: BudgetSubject): Budget[] {
  const out = applicableBudgets({ model: '', [scope]: { ...s, model_budgets: {} } });
  for (const model of Object.keys(s.model_budgets ?? {})) out.push(...applicableBudgets({ model, [scope]: { ...s, max_budget_nanos: null } }));
  return out;
}
