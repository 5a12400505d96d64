// Budget windows, calendar-aligned in UTC: the start and end of the window that contains a given instant. Counters
// and ledger sums for a budget cover [start, end); the window index makes Redis counter keys roll over by themselves.
export const BUDGET_DURATIONS = ['1h', '1d', '7d', '30d', '1mo'] as const;
export type BudgetDuration = (typeof BUDGET_DURATIONS)[number];

export interface BudgetWindow {
  /** Inclusive start, ms since the epoch (UTC). */
  readonly start: number;
  /** Exclusive end, ms since the epoch (UTC). */
  readonly end: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function isBudgetDuration(value: unknown): value is BudgetDuration {
  return typeof value === 'string' && (BUDGET_DURATIONS as readonly string[]).includes(value);
}

/** The latest window handed out per duration (frozen: callers share it). */
const LAST = new Map<BudgetDuration, BudgetWindow>();

/**
 * `1h` starts on the hour, `1d` at 00:00 UTC, `1mo` at 00:00 UTC on the 1st. `7d` and `30d` are runs of whole UTC
 * days counted from the epoch (1970-01-01, a Thursday), so every instance agrees on them without shared state and
 * a `7d` window always starts on a Thursday.
 */
export function budgetWindow(duration: BudgetDuration, now: number): BudgetWindow {
  // Every budgeted request asks for its window; it changes once an hour at most, and '1mo' costs a Date to compute.
  const last = LAST.get(duration);
  if (last !== undefined && now >= last.start && now < last.end) return last;
  const w = Object.freeze(windowAt(duration, now));
  LAST.set(duration, w);
  return w;
}

function windowAt(duration: BudgetDuration, now: number): BudgetWindow {
  switch (duration) {
    case '1h': {
      const start = Math.floor(now / HOUR) * HOUR;
      return { start, end: start + HOUR };
    }
    case '1d':
      return daysWindow(1, now);
    case '7d':
      return daysWindow(7, now);
    case '30d':
      return daysWindow(30, now);
    case '1mo': {
      const d = new Date(now);
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth();
      return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
    }
  }
}

function daysWindow(days: number, now: number): BudgetWindow {
  const span = days * DAY;
  const start = Math.floor(now / span) * span;
  return { start, end: start + span };
}
