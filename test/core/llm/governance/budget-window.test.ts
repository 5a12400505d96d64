// Budget windows: calendar-aligned in UTC, [start, end) containing the instant, for every duration.
import t from 'tap';
import { BUDGET_DURATIONS, budgetWindow, isBudgetDuration } from '../../../../core/llm/index.js';

const at = (iso: string): number => Date.parse(iso);
const w = (d: Parameters<typeof budgetWindow>[0], iso: string) => {
  const { start, end } = budgetWindow(d, at(iso));
  return [new Date(start).toISOString(), new Date(end).toISOString()];
};

t.test('1h starts on the hour, 1d at 00:00 UTC', async (t) => {
  t.same(w('1h', '2026-12-06T04:59:59.999Z'), ['2026-12-06T04:00:00.000Z', '2026-12-06T05:00:00.000Z']);
  t.same(w('1h', '2026-12-06T05:00:00.000Z'), ['2026-12-06T05:00:00.000Z', '2026-12-06T06:00:00.000Z']);
  t.same(w('1d', '2026-12-06T23:59:59.999Z'), ['2026-12-06T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
  t.same(w('1d', '2026-12-07T00:00:00.000Z'), ['2026-12-07T00:00:00.000Z', '2026-12-08T00:00:00.000Z']);
});

t.test('1mo runs from the 1st to the 1st, whatever the month length, across the year end', async (t) => {
  t.same(w('1mo', '2026-02-28T23:00:00Z'), ['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
  t.same(w('1mo', '2028-02-29T12:00:00Z'), ['2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z']);
  t.same(w('1mo', '2026-12-31T23:59:59.999Z'), ['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  t.same(w('1mo', '2027-01-01T00:00:00Z'), ['2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z']);
});

t.test('7d and 30d are runs of whole UTC days counted from the epoch', async (t) => {
  t.same(w('7d', '1970-01-07T23:59:59Z'), ['1970-01-01T00:00:00.000Z', '1970-01-08T00:00:00.000Z']);
  t.same(w('7d', '2026-12-06T12:00:00Z'), ['2026-12-03T00:00:00.000Z', '2026-12-10T00:00:00.000Z']);
  t.equal(new Date(budgetWindow('7d', at('2026-12-06T12:00:00Z')).start).getUTCDay(), 4, 'a Thursday, like the epoch');
  const thirty = budgetWindow('30d', at('2026-12-06T12:00:00Z'));
  t.equal(thirty.end - thirty.start, 30 * 86_400_000);
  t.equal(thirty.start % 86_400_000, 0);
  t.equal((thirty.start / 86_400_000) % 30, 0);
});

t.test('every window contains its instant and the next starts where it ends', async (t) => {
  for (const d of BUDGET_DURATIONS) {
    for (const iso of ['2026-01-31T23:59:59.999Z', '2026-03-29T01:30:00Z', '2024-02-29T00:00:00Z']) {
      const { start, end } = budgetWindow(d, at(iso));
      t.ok(start <= at(iso) && at(iso) < end, `${d} ${iso}`);
      t.equal(budgetWindow(d, end).start, end);
      t.equal(budgetWindow(d, end - 1).start, start);
    }
  }
  t.ok(isBudgetDuration('1mo'));
  t.notOk(isBudgetDuration('30m'));
  t.notOk(isBudgetDuration(7));
});
