// GET /admin/v1/budgets: where each budget of a key, team, user or end user stands in its current window — limit,
// settled spend, live holds, what is left and when it resets — read from the budget counters (the ledger's sum for
// a budget no request has touched in this window yet).
import type { KeyStore, Principal } from '../../../../core/llm/index.js';
import { subjectBudgets, type Budget } from '../budget/budgets.js';
import type { BudgetEngine } from '../budget/engine.js';
import { NO_LIMITS, principalOfKey } from '../principal.js';
import type { BudgetSubjects, Subjects } from './subjects.js';

export type BudgetScope = 'key' | 'team' | 'user' | 'end_user';

/** One budget's position, money in nano-USD. */
export interface BudgetStatus {
  budget: string;
  scope: BudgetScope;
  subject: string;
  model: string | null;
  limit_nanos: number;
  spent_nanos: number;
  held_nanos: number;
  remaining_nanos: number;
  window_start: number;
  /** ms since the epoch; null for a lifetime budget. */
  reset_at: number | null;
}

export interface BudgetReportDeps {
  engine: BudgetEngine;
  subjects: BudgetSubjects;
  store: KeyStore | undefined;
  /** A static key's principal by its id. */
  staticKey(id: string): Principal | undefined;
}

/** The budgets of a key (its own, its team's and its user's), a team, a user or an end user; undefined: no such subject. */
export async function budgetReport(d: BudgetReportDeps, scope: BudgetScope, id: string, now = Date.now()): Promise<BudgetStatus[] | undefined> {
  const subjects = await subjectsFor(d, scope, id);
  if (subjects === undefined) return undefined;
  const budgets: Budget[] = [];
  for (const s of ['key', 'team', 'user', 'end_user'] as const) {
    const subject = subjects[s];
    if (subject) budgets.push(...subjectBudgets(s, subject));
  }
  return Promise.all(budgets.map((b) => statusOf(d, b, now)));
}

async function subjectsFor(d: BudgetReportDeps, scope: BudgetScope, id: string): Promise<Subjects | undefined> {
  if (scope === 'key') {
    const p = d.staticKey(id) ?? (await d.store?.getKey(id).then((k) => (k === undefined ? undefined : principalOfKey(k))));
    return p === undefined ? undefined : d.subjects.of(p);
  }
  if (scope === 'end_user') {
    const s = await d.subjects.of({ ...bare, end_user: id });
    return s.end_user ? { end_user: s.end_user } : undefined;
  }
  const s = await d.subjects.of({ ...bare, [scope]: id });
  return s[scope] ? { [scope]: s[scope] } : undefined;
}

/** A principal that carries nothing but the one subject asked about. */
const bare: Principal = {
  key_id: '', source: 'key', alias: null, team: null, user: null, end_user: null, metadata: {}, models: [], routes: [],
  expires_at: null, blocked: false, budget_tier: null, limits: NO_LIMITS,
};

async function statusOf(d: BudgetReportDeps, b: Budget, now: number): Promise<BudgetStatus> {
  const st = await d.engine.status(b, now);
  const spent = st.spent ?? (await d.store?.sumSpend({ scope: b.scope, id: b.subject, from: st.window.start, to: Number.isFinite(st.window.end) ? st.window.end : now + 1, ...(b.model === undefined ? {} : { model: b.model }) })) ?? 0;
  return {
    budget: b.id, scope: b.scope, subject: b.subject, model: b.model ?? null, limit_nanos: b.limit_nanos, spent_nanos: spent, held_nanos: st.held,
    remaining_nanos: Math.max(0, b.limit_nanos - spent - st.held), window_start: st.window.start, reset_at: Number.isFinite(st.window.end) ? st.window.end : null,
  };
}
