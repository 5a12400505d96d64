// The worst-case estimate (prompt + max_tokens or the output reserve, capped by the model) priced by the book, and
// the over-budget answer each client API gets.
import t from 'tap';
import { createPriceBook } from '../../../../../core/llm/index.js';
import { applicableBudgets } from '../../../../../filters/llm/keys/budget/budgets.js';
import { DEFAULT_OUTPUT_RESERVE_TOKENS, estimateCost, worstCaseUsage } from '../../../../../filters/llm/keys/budget/estimate.js';
import { anthropicBudgetBody, BUDGET_EXCEEDED_HEADERS, budgetExceededError, openAiBudgetBody } from '../../../../../filters/llm/keys/budget/exceeded.js';
import { keyBudget, NOW, USD } from './engine-suite.js';

t.test('output: max_tokens, else the reserve; capped by max_output and by the context window left', async (t) => {
  t.match(worstCaseUsage({ promptTokens: 1000 }), { input: 1000, output: DEFAULT_OUTPUT_RESERVE_TOKENS, total: 1000 + DEFAULT_OUTPUT_RESERVE_TOKENS });
  t.match(worstCaseUsage({ promptTokens: 1000, maxTokens: 50, outputReserveTokens: 9000 }), { output: 50 }, "the request's max_tokens wins");
  t.match(worstCaseUsage({ promptTokens: 1000, outputReserveTokens: 9000, modelLimits: { max_output: 8192 } }), { output: 8192 });
  t.match(worstCaseUsage({ promptTokens: 7000, maxTokens: 4000, modelLimits: { context_window: 8000 } }), { output: 1000 });
  t.match(worstCaseUsage({ promptTokens: 9000, modelLimits: { context_window: 8000 } }), { output: 0 }, 'never negative');
  t.throws(() => worstCaseUsage({ promptTokens: -1 }), RangeError);
});

t.test('priced by the book: input at the input rate, the held output at the output rate', async (t) => {
  const book = createPriceBook({ overrides: { prices: [{ provider: 'local', model: 'm1', input_mtok: 2, output_mtok: 8, max_output: 100 }] } });
  const est = estimateCost(book, 'local', 'm1', { promptTokens: 1_000_000, maxTokens: 5000 });
  t.match(est, { known: true, usage: { input: 1_000_000, output: 100 } });
  t.equal(est.nanos, 2 * USD + (100 * 8 * USD) / 1_000_000);
  t.match(estimateCost(book, 'nowhere', 'nothing', { promptTokens: 10 }), { known: false, nanos: 0 }, 'unknown: the caller applies unknown_price');
});

t.test('applicableBudgets: subjects without a limit add none; per-model only within key or team', async (t) => {
  const mb = { x: { max_budget_nanos: 1, budget_duration: null } };
  const b = applicableBudgets({
    model: 'x',
    key: { id: 'k', max_budget_nanos: null, budget_duration: null, model_budgets: mb },
    user: { id: 'u', max_budget_nanos: 5, budget_duration: '1mo', model_budgets: mb },
    end_user: { id: 'e', max_budget_nanos: 7, budget_duration: '1h', soft_budget_nanos: 3 },
  });
  t.same(b.map((x) => [x.id, x.limit_nanos, x.soft_nanos]), [['key:k:model:x', 1, null], ['user:u', 5, null], ['end_user:e', 7, 3]]);
  t.throws(() => applicableBudgets({ model: 'x', key: { id: 'k', max_budget_nanos: 1.5, budget_duration: null } }), RangeError);
});

t.test('over budget: 429 DGP_ERR_KEYS_BUDGET_EXCEEDED, x-should-retry false, both client shapes', async (t) => {
  const err = budgetExceededError({ budget: keyBudget('k', 10 * USD), limit_nanos: 10 * USD, spent_nanos: 9.5 * USD, held_nanos: USD / 4, requested_nanos: USD, reset_at: NOW + 12 * 3_600_000 });
  t.match(err, { code: 'DGP_ERR_KEYS_BUDGET_EXCEEDED', status: 429, details: { budget: 'key:k', limit_usd: '10', spent_usd: '9.5', held_usd: '0.25', reset_at: '2026-01-16T00:00:00.000Z' } });
  t.match(err.message, /key:k.*\$9\.5.*\$10.*resets at 2026-01-16T00:00:00\.000Z/);
  t.same(BUDGET_EXCEEDED_HEADERS, { 'x-should-retry': 'false' });
  t.match(openAiBudgetBody(err), { error: { type: 'insufficient_quota', code: 'insufficient_quota' } });
  t.match(anthropicBudgetBody(err), { type: 'error', error: { type: 'rate_limit_error', details: { error_code: 'enforced_spend_limit_reached' } } });
});
