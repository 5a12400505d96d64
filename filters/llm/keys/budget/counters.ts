// Where a budget's numbers live in the store: one counter per budget and window, named by the budget's identity and
// the window's start, so a new window starts a new counter by itself. Every key carries one hash tag, so under
// Redis Cluster one admission's keys share a slot and one script can hold them all.
import { budgetWindow, type BudgetWindow } from '../../../../core/llm/index.js';
import type { Budget } from './budgets.js';

export const DEFAULT_KEY_PREFIX = '{dgp-budget}:';

/** A lifetime budget (no budget_duration) is one window from the epoch on. */
const LIFETIME: BudgetWindow = Object.freeze({ start: 0, end: Number.POSITIVE_INFINITY });

export interface BudgetCounter {
  readonly budget: Budget;
  readonly window: BudgetWindow;
  /** The settled spend of this budget in this window, nano-USD. */
  readonly key: string;
  /** The counter's expiry from now: the window's end plus `graceMs`; undefined for a lifetime budget. */
  readonly ttlMs: number | undefined;
}

export function windowOf(budget: Budget, now: number): BudgetWindow {
  return budget.duration === null ? LIFETIME : budgetWindow(budget.duration, now);
}

export function counterOf(budget: Budget, now: number, prefix: string, graceMs: number): BudgetCounter {
  const window = windowOf(budget, now);
  const ttlMs = Number.isFinite(window.end) ? Math.max(1, window.end - now + graceMs) : undefined;
  return { budget, window, key: `${prefix}b:${budget.id}:${window.start}`, ttlMs };
}

export const doneMarker = (prefix: string, requestId: string): string => `${prefix}done:${requestId}`;
export const alertKey = (c: BudgetCounter, prefix: string): string => `${prefix}alert:${c.budget.id}:${c.window.start}`;
