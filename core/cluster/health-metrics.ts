// Endpoint health as metrics: gauges read from the serving generation's cluster manager at scrape time (so cooldowns,
// which expire without an event, are current) and a counter of active probes by result.
import client, { type Registry } from 'prom-client';
import type { ClusterManager } from './cluster-manager.js';

const LABELS = ['cluster', 'endpoint'] as const;

function gauge(registry: Registry, name: string, help: string, read: (g: client.Gauge<'cluster' | 'endpoint'>) => void): void {
  if (registry.getSingleMetric(name) !== undefined) return;
  new client.Gauge({
    name,
    help,
    labelNames: LABELS,
    registers: [registry],
    collect(this: client.Gauge<'cluster' | 'endpoint'>) {
      this.reset();
      read(this);
    },
  });
}

/** Registers the gauges once per registry; returns the probe hook for ClusterManager's `onProbe`. */
export function registerHealthMetrics(registry: Registry, current: () => ClusterManager | undefined): (cluster: string, id: string, ok: boolean) => void {
  const each = (fn: (labels: { cluster: string; endpoint: string }, e: ReturnType<ClusterManager['clustersView']>[number]['endpoints'][number]) => void) => {
    for (const c of current()?.clustersView() ?? []) for (const e of c.endpoints) fn({ cluster: c.name, endpoint: e.id }, e);
  };
  gauge(registry, 'dgp_cluster_endpoint_healthy', '1 when the endpoint is marked healthy (active checks, registry, static seed) and not cooling down, else 0.', (g) =>
    each((l, e) => g.set(l, e.healthy ? 1 : 0)),
  );
  gauge(registry, 'dgp_cluster_endpoint_cooling', '1 while the endpoint is in its failure cooldown (passive health), else 0.', (g) =>
    each((l, e) => g.set(l, e.cooldown_until === null ? 0 : 1)),
  );
  gauge(registry, 'dgp_cluster_endpoint_in_flight', 'Upstream attempts in flight to the endpoint (streams until their end).', (g) =>
    each((l, e) => g.set(l, typeof e.in_flight === 'number' ? e.in_flight : 0)),
  );
  gauge(registry, 'dgp_cluster_endpoint_latency_seconds', 'Moving average of the time to first byte (first token for streams) of recent successful attempts.', (g) =>
    each((l, e) => {
      if (typeof e.latency_ms === 'number') g.set(l, e.latency_ms / 1000);
    }),
  );
  const probes =
    (registry.getSingleMetric('dgp_cluster_health_checks_total') as client.Counter<'cluster' | 'endpoint' | 'result'> | undefined) ??
    new client.Counter({ name: 'dgp_cluster_health_checks_total', help: 'Active health probes by result (pass, fail).', labelNames: ['cluster', 'endpoint', 'result'], registers: [registry] });
  return (cluster, endpoint, ok) => probes.inc({ cluster, endpoint, result: ok ? 'pass' : 'fail' });
}
