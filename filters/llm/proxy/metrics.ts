// The proxy's counters (Envoy's upstream_rq_* in our naming): attempts by outcome, retries, retries the budget refused,
// cancelled upstream calls.
import type { Counter } from 'prom-client';
import { CounterCells, type CounterCell, type MetricsApi } from '../../../core/index.js';

export interface ProxyMetrics {
  attempts: Counter<'cluster' | 'endpoint' | 'outcome'>;
  retries: Counter<'cluster'>;
  cancelled: Counter<'cluster'>;
  /** Retries the cluster's retry budget refused (Envoy's upstream_rq_retry_overflow). */
  budgetDenied: Counter<'cluster'>;
  keepAliveResends: Counter<'cluster'>;
  /** The attempts counter's cell for one label set: one map lookup instead of prom-client's label hashing. */
  attempt(cluster: string, endpoint: string, outcome: string): CounterCell;
  /** Hands pending increments over (the filter instance is retired). */
  close(): void;
}

export function createProxyMetrics(metrics: MetricsApi): ProxyMetrics {
  const attempts = metrics.counter({
    name: 'dgp_upstream_attempts_total',
    help: 'Upstream attempts by outcome: success, status_code_error, connect_error, network_error, timeout, empty_stream, stream_error, aborted.',
    labelNames: ['cluster', 'endpoint', 'outcome'] as const,
  });
  const cells = new CounterCells(attempts);
  const byKey = new Map<string, CounterCell>();
  return {
    attempts,
    attempt(cluster, endpoint, outcome) {
      const key = `${cluster}\u0000${endpoint}\u0000${outcome}`;
      let cell = byKey.get(key);
      if (cell === undefined) {
        cell = cells.cell({ cluster, endpoint, outcome });
        if (byKey.size >= 1024) byKey.clear(); // endpoints come and go with registries: bounded
        byKey.set(key, cell);
      }
      return cell;
    },
    close: () => cells.close(),
    retries: metrics.counter({
      name: 'dgp_upstream_retries_total',
      help: 'Upstream attempts after the first of a request (same endpoint or fallback).',
      labelNames: ['cluster'] as const,
    }),
    cancelled: metrics.counter({
      name: 'dgp_upstream_cancelled_total',
      help: 'Upstream requests or streams cancelled because the client went away.',
      labelNames: ['cluster'] as const,
    }),
    budgetDenied: metrics.counter({
      name: 'dgp_upstream_retry_budget_denied_total',
      help: "Retries not made because the cluster's retry budget was used up; each such request ended with its last upstream answer or error.",
      labelNames: ['cluster'] as const,
    }),
    keepAliveResends: metrics.counter({
      name: 'dgp_upstream_keepalive_resends_total',
      help: 'Requests sent again on a new connection because the upstream closed the reused keep-alive socket before any response byte (the keep-alive race); many mean keep_alive_timeout is above the upstream server keep-alive.',
      labelNames: ['cluster'] as const,
    }),
  };
}
