// The kvcache filter's metric handles (dgp_kvcache_*): lookups by result, token-cache hits and misses, routing
// decisions (routed vs fallback, with the reason), the latency routing adds, background actions by outcome, breaker
// states and prefix-mode in-flight counts. Get-or-create on the process registry: reloads share them.
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsApi } from '../../../core/index.js';

export interface KvcacheMetrics {
  lookups: Counter<'result'>;
  tokenCacheHits: Counter<string>;
  tokenCacheMisses: Counter<string>;
  routing: Counter<'mode' | 'outcome' | 'reason'>;
  addedLatency: Histogram<'mode' | 'outcome'>;
  background: Counter<'action' | 'outcome'>;
  breakerState: Gauge<'breaker'>;
  inflight: Gauge<'cluster' | 'endpoint'>;
}

export function createKvcacheMetrics(m: MetricsApi): KvcacheMetrics {
  return {
    lookups: m.counter({
      name: 'dgp_kvcache_lookups_total',
      help: 'LMCache /lookup calls on the request path by result: hit, miss, error, timeout, breaker_open.',
      labelNames: ['result'] as const,
    }),
    tokenCacheHits: m.counter({ name: 'dgp_kvcache_token_cache_hits_total', help: 'Token-cache lookups that found live token ids.' }),
    tokenCacheMisses: m.counter({ name: 'dgp_kvcache_token_cache_misses_total', help: 'Token-cache lookups that found nothing (or an expired entry).' }),
    routing: m.counter({
      name: 'dgp_kvcache_routing_total',
      help: 'Routing decisions: outcome routed (a preferred endpoint was set) or fallback (normal load balancing), with the reason.',
      labelNames: ['mode', 'outcome', 'reason'] as const,
    }),
    addedLatency: m.histogram({
      name: 'dgp_kvcache_added_latency_seconds',
      help: 'Time the kvcache decode step added to a request (bounded by lookup_routing_timeout).',
      labelNames: ['mode', 'outcome'] as const,
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    }),
    background: m.counter({
      name: 'dgp_kvcache_background_actions_total',
      help: 'Background work by action (tokenize, compress, pin, evict, clear, task) and outcome (ok, error, cancelled, skipped).',
      labelNames: ['action', 'outcome'] as const,
    }),
    breakerState: m.gauge({
      name: 'dgp_kvcache_circuit_breaker_state',
      help: 'Circuit breaker state per breaker (tokenize, lmcache): 0 closed, 1 open, 2 half-open.',
      labelNames: ['breaker'] as const,
    }),
    inflight: m.gauge({
      name: 'dgp_kvcache_inflight_requests',
      help: 'mode: prefix — in-flight requests per endpoint as the bounded-load router counts them.',
      labelNames: ['cluster', 'endpoint'] as const,
    }),
  };
}
