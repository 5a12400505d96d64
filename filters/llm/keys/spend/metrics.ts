// The keys filter's cost and budget metrics. Money is USD (Prometheus counters are floats; the ledger keeps exact
// nano-USD). Label values come from the price book (a priced model) or are bounded here, since model names arrive
// from clients and upstreams.
import { CounterCells, type CounterCell, type MetricsApi } from '../../../../core/index.js';

/** Distinct values one label takes at most; the rest count as `other`. */
const MAX_VALUES = 200;

export type SpendMetrics = ReturnType<typeof createSpendMetrics>;

export function createSpendMetrics(m: MetricsApi) {
  const cost = m.counter({ name: 'dgp_llm_cost_usd_total', help: 'Cost of LLM requests in USD, priced from the upstream usage by the price book.', labelNames: ['model', 'provider', 'route'] });
  const unknown = m.counter({ name: 'dgp_llm_cost_unknown_total', help: 'LLM requests whose model the price book has no price for (charged 0, or the budget hold for a key with a budget).', labelNames: ['model', 'provider'] });
  const denied = m.counter({ name: 'dgp_llm_budget_denials_total', help: 'Requests a budget could not admit, by the budget scope and what happened (rejected with 429, or served by on_exhaust.fallback_model).', labelNames: ['scope', 'outcome'] });
  const softAlerts = m.counter({ name: 'dgp_llm_budget_soft_alerts_total', help: 'Soft budget alerts fired (once per budget and window across instances).' });
  const ledgerDropped = m.counter({ name: 'dgp_llm_spend_ledger_dropped_total', help: 'Spend ledger rows dropped because the write queue was full (the budget counters still hold the spend).' });
  const models = new Set<string>();
  const bounded = (model: string): string => {
    if (models.has(model)) return model;
    if (models.size >= MAX_VALUES) return 'other';
    models.add(model);
    return model;
  };
  // A cell per label set, found by a joined key: prom-client hashes a label object on every inc otherwise.
  const costCells = new CounterCells(cost);
  const cells = new Map<string, CounterCell>();
  // Most requests of a gateway price the same model on the same route: the last cell is checked first.
  let last: { model: string; provider: string; route: string; cell: CounterCell } | undefined;
  const costCell = (model: string, provider: string, route: string): CounterCell => {
    if (last !== undefined && last.model === model && last.provider === provider && last.route === route) return last.cell;
    const m = bounded(model);
    const id = `${m}\u0000${provider}\u0000${route}`;
    let cell = cells.get(id);
    if (cell === undefined) cells.set(id, (cell = costCells.cell({ model: m, provider, route })));
    last = { model, provider, route, cell };
    return cell;
  };
  return {
    cost: (model: string, provider: string, route: string, nanos: number) => costCell(model, provider, route).add(nanos / 1e9),
    /** Hands pending increments over and detaches (the filter instance is retired). */
    close: () => costCells.close(),
    unknown: (model: string, provider: string) => unknown.inc({ model: bounded(model), provider }),
    denied: (scope: string, outcome: 'rejected' | 'fallback') => denied.inc({ scope, outcome }),
    softAlerts: { add: () => softAlerts.inc() },
    ledgerDropped: () => ledgerDropped.inc(),
  };
}
