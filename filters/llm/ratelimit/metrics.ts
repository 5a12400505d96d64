// The filter's metrics: what happened to each request, which rule refused, tokens reserved and charged, store
// failures, and the concurrency slots this process holds right now (0 when nothing is in flight: no slot leaks).
import type { Counter, Gauge } from 'prom-client';
import type { MetricsApi } from '../../../core/index.js';

export type Outcome = 'admitted' | 'limited' | 'open' | 'local' | 'unavailable';

export interface RateLimitMetrics {
  requests: Counter<'outcome'>;
  limited: Counter<'rule' | 'dimension'>;
  tokens: Counter<'rule' | 'phase'>;
  storeErrors: Counter<'store' | 'op' | 'on_store_error'>;
  slots: Gauge<string>;
}

export function createMetrics(m: MetricsApi): RateLimitMetrics {
  return {
    requests: m.counter({
      name: 'dgp_ratelimit_requests_total',
      help: 'Requests counted by dgp.filter.llm.ratelimit, by outcome: admitted, limited (429), and while the store was unreachable open (admitted unlimited), local (limited in this process) or unavailable (503).',
      labelNames: ['outcome'],
    }),
    limited: m.counter({ name: 'dgp_ratelimit_limited_total', help: 'Requests refused with 429, by the rule and dimension (requests, tokens, concurrency) that refused.', labelNames: ['rule', 'dimension'] }),
    tokens: m.counter({
      name: 'dgp_ratelimit_tokens_total',
      help: "Tokens counted against token rules, by rule: phase reserved (the estimate at admission) and charged (the real usage at the answer's end).",
      labelNames: ['rule', 'phase'],
    }),
    storeErrors: m.counter({
      name: 'dgp_ratelimit_store_errors_total',
      help: 'Rate-limit store calls that failed (store unreachable), by store id, op (admit, reconcile) and the on_store_error applied.',
      labelNames: ['store', 'op', 'on_store_error'],
    }),
    slots: m.gauge({ name: 'dgp_ratelimit_concurrency_slots', help: 'Concurrency slots held by requests in flight in this process (one per concurrency rule per request).' }),
  };
}
