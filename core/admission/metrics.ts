// Admission metrics. Queue lengths, slots in use and the heap ratio are read from the gates when /metrics is scraped
// (a collect hook), so admitting a request touches no metric at all; waits, refusals and sheds are counted as they
// happen (only requests that queued or were refused pay for it).
import client, { type Counter, type Histogram } from 'prom-client';
import type { HostMetrics } from '../observability/metrics.js';
import type { ConcurrencyGate } from './gate.js';

export type RefusalReason = 'queue_full' | 'queue_timeout' | 'displaced';
export type WaitEnd = 'admitted' | 'timeout' | 'displaced' | 'aborted';

export interface AdmissionMetrics {
  waited: Histogram<'scope' | 'cluster' | 'outcome'>;
  refused: Counter<'scope' | 'cluster' | 'reason'>;
  shed: Counter<'listener'>;
}

const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** `gates()` lists every gate to report; `heap()` samples the heap ratio. */
export function createAdmissionMetrics(m: HostMetrics, gates: () => Iterable<ConcurrencyGate>, heap: () => number): AdmissionMetrics {
  const registry = m.registry;
  const gauge = (name: string, help: string, read: (g: ConcurrencyGate) => number): void => {
    if (registry.getSingleMetric(name)) return;
    const g = new client.Gauge({
      name,
      help,
      labelNames: ['scope', 'cluster'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const gate of gates()) this.set({ scope: gate.scope, cluster: gate.name }, read(gate));
      },
    });
    m.seriesCap.guard(g);
  };
  gauge('dgp_admission_queue_length', 'Requests waiting in an admission queue (scope global: the gateway-wide cap; cluster: a cluster cap).', (g) => g.queue.size);
  gauge('ai_inference_queue_length', 'Alias of dgp_admission_queue_length (the name on Pixiu\'s roadmap).', (g) => g.queue.size);
  gauge('dgp_admission_in_flight', 'Requests holding an admission slot (past the gate, streams until they end).', (g) => g.inFlight);
  gauge('dgp_admission_max_concurrency', 'The configured cap (0 = none).', (g) => g.limit);
  if (!registry.getSingleMetric('dgp_admission_heap_used_ratio')) {
    new client.Gauge({
      name: 'dgp_admission_heap_used_ratio',
      help: 'V8 heap in use as a fraction of the heap limit (admission.shed_heap_fraction is compared with it).',
      registers: [registry],
      collect() {
        this.set(heap());
      },
    });
  }
  return {
    waited: m.histogram({
      name: 'dgp_admission_queue_wait_seconds',
      help: 'Time requests spent in an admission queue, by how the wait ended: admitted, timeout, displaced (by a higher priority in a full queue), aborted (client gone). Requests admitted at once never queue and are not observed.',
      labelNames: ['scope', 'cluster', 'outcome'] as const,
      buckets: WAIT_BUCKETS,
    }),
    refused: m.counter({
      name: 'dgp_admission_rejected_total',
      help: 'Requests refused with 503 by an admission gate: queue_full (no room in the queue), queue_timeout (max_wait passed), displaced (a higher-priority request took its place in a full queue).',
      labelNames: ['scope', 'cluster', 'reason'] as const,
    }),
    shed: m.counter({
      name: 'dgp_admission_shed_total',
      help: 'Requests refused with 503 before their body was read because the heap was above admission.shed_heap_fraction.',
      labelNames: ['listener'] as const,
    }),
  };
}
