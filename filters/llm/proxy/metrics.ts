// The proxy's counters (Envoy's upstream_rq_* in our naming): attempts by outcome, retries, cancelled upstream calls.
import type { Counter } from 'prom-client';
import type { MetricsApi } from '../../../core/index.js';

export interface ProxyMetrics {
  attempts: Counter<'cluster' | 'endpoint' | 'outcome'>;
  retries: Counter<'cluster'>;
  cancelled: Counter<'cluster'>;
}

export function createProxyMetrics(metrics: MetricsApi): ProxyMetrics {
  return {
    attempts: metrics.counter({
      name: 'dgp_upstream_attempts_total',
      help: 'Upstream attempts by outcome: success, status_code_error, connect_error, network_error, timeout, empty_stream, aborted.',
      labelNames: ['cluster', 'endpoint', 'outcome'] as const,
    }),
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
  };
}
