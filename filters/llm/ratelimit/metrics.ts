// The filter's metrics: what happened to each request, which rule refused, tokens reserved and charged, store
// failures, and the concurrency slots this process holds right now (0 when nothing is in flight: no slot leaks).
// The per-request counters go through CounterCells (no label hashing per request).
import type { Counter, Gauge } from 'prom-client';
import { CounterCells, type CounterCell, type MetricsApi } from '../../../core/index.js';

/**
 * The slots gauge carries its own count: one gauge per process (the registry returns the same one to every
 * generation's filter and to a reloaded plugin module), so the count lives with it, not in this module or instance.
 */
type SlotsGauge = Gauge<string> & { dgpSlotsHeld?: number };

export type Outcome = 'admitted' | 'limited' | 'open' | 'local' | 'unavailable';
const OUTCOMES: readonly Outcome[] = ['admitted', 'limited', 'open', 'local', 'unavailable'];

export class RateLimitMetrics {
  readonly limited: Counter<'rule' | 'dimension'>;
  readonly storeErrors: Counter<'store' | 'op' | 'on_store_error'>;
  readonly #slots: SlotsGauge;
  readonly #outcomes = new Map<Outcome, CounterCell>();
  readonly #tokens: CounterCells<'rule' | 'phase'>;
  /** Cells by phase and rule id; rule ids come from the config (plus the key's own), so the maps are bounded. */
  readonly #tokenCells = { reserved: new Map<string, CounterCell>(), charged: new Map<string, CounterCell>() };

  constructor(m: MetricsApi) {
    const requests = m.counter({
      name: 'dgp_ratelimit_requests_total',
      help: 'Requests counted by dgp.filter.llm.ratelimit, by outcome: admitted, limited (429), and while the store was unreachable open (admitted unlimited), local (limited in this process) or unavailable (503).',
      labelNames: ['outcome'],
    });
    const cells = new CounterCells(requests);
    for (const o of OUTCOMES) this.#outcomes.set(o, cells.cell({ outcome: o }));
    this.limited = m.counter({ name: 'dgp_ratelimit_limited_total', help: 'Requests refused with 429, by the rule and dimension (requests, tokens, concurrency) that refused.', labelNames: ['rule', 'dimension'] });
    this.#tokens = new CounterCells(
      m.counter({
        name: 'dgp_ratelimit_tokens_total',
        help: "Tokens counted against token rules, by rule: phase reserved (the estimate at admission) and charged (the real usage at the answer's end).",
        labelNames: ['rule', 'phase'],
      }),
    );
    this.storeErrors = m.counter({
      name: 'dgp_ratelimit_store_errors_total',
      help: 'Rate-limit store calls that failed (store unreachable), by store id, op (admit, reconcile) and the on_store_error applied.',
      labelNames: ['store', 'op', 'on_store_error'],
    });
    this.#slots = m.gauge({
      name: 'dgp_ratelimit_concurrency_slots',
      help: 'Concurrency slots held by requests in flight in this process (one per concurrency rule per request).',
      collect(this: SlotsGauge) {
        this.set(this.dgpSlotsHeld ?? 0);
      },
    });
  }

  /** Slots taken (n > 0) or freed (n < 0): a plain number per request, the gauge reads it when scraped. */
  slots(n: number): void {
    this.#slots.dgpSlotsHeld = (this.#slots.dgpSlotsHeld ?? 0) + n;
  }

  count(outcome: Outcome): void {
    this.#outcomes.get(outcome)!.add();
  }

  tokens(rule: string, phase: 'reserved' | 'charged', n: number): void {
    const cells = this.#tokenCells[phase];
    let cell = cells.get(rule);
    if (cell === undefined) cells.set(rule, (cell = this.#tokens.cell({ rule, phase })));
    cell.add(n);
  }
}
