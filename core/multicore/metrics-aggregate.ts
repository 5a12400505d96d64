// One /metrics for N worker processes: each process keeps its own prom-client registry; the primary collects them as
// JSON over IPC at scrape time and merges them. Counters and histograms are summed (exact: K requests anywhere are K in
// the sum); gauges and summaries cannot be summed meaningfully, so each process's series gets a `worker` label instead.
import client, { AggregatorRegistry, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { collectNodeMetrics } from '../observability/metrics.js';
import type { MetricJson } from './protocol.js';
import type { Supervisor } from './supervisor.js';

export interface MetricsPart {
  /** The worker slot ("1".."N"), or "primary" for the primary process itself. */
  worker: string;
  metrics: readonly MetricJson[];
}

const SUMMED = new Set(['counter', 'histogram']);
/** Metrics only the primary has (the worker slots' state): one series each, no `worker` label needed. */
const PRIMARY_ONLY = 'dgp_cluster_';

/** Merges the processes' metrics into one registry (prom-client's aggregator does the summing by name and labels). */
export function aggregateMetrics(parts: readonly MetricsPart[]): Registry {
  const relabelled = parts.map(({ worker, metrics }) =>
    metrics.map((m) =>
      SUMMED.has(m.type) || m.name.startsWith(PRIMARY_ONLY)
        ? { ...m, aggregator: 'sum' }
        : // Distinct `worker` labels make 'sum' keep every process's series apart.
          { ...m, aggregator: 'sum', values: m.values.map((v) => ({ ...v, labels: { ...v.labels, worker } })) },
    ),
  );
  return AggregatorRegistry.aggregate(relabelled);
}

/** A registry's metrics as plain, cloneable values (what a worker sends to the primary). */
export async function metricsAsJson(registry: Registry): Promise<MetricJson[]> {
  return (await registry.getMetricsAsJSON()).map((m) => ({
    name: m.name,
    help: m.help,
    type: String(m.type),
    aggregator: m.aggregator,
    values: m.values.map((v) => ({ ...v, labels: { ...v.labels } as Record<string, string | number> })),
  }));
}

/** A registry whose text output is the merge of the primary's own metrics and every worker's, gathered per scrape. */
export class ClusterRegistry extends Registry {
  constructor(
    private readonly own: Registry,
    private readonly supervisor: Supervisor,
    private readonly log: Logger,
    private readonly timeoutMs = 2_000,
  ) {
    super();
  }

  override async metrics(): Promise<string> {
    const answers = await this.supervisor.broadcast('metrics', this.timeoutMs);
    const parts: MetricsPart[] = [{ worker: 'primary', metrics: await metricsAsJson(this.own) }];
    for (const a of answers) {
      // A worker being restarted has nothing to give; its counters restart from 0 (Prometheus treats it as a reset).
      if (a.ok) parts.push({ worker: String(a.worker), metrics: a.value });
      else this.log.debug({ worker: a.worker, error: a.error }, 'worker left out of this scrape');
    }
    return aggregateMetrics(parts).metrics();
  }
}

/** The primary's own metrics: its process metrics plus the worker slots' state. */
export function createPrimaryMetrics(supervisor: Supervisor, workers: number): Registry {
  const registry = new Registry();
  collectNodeMetrics(registry);
  new client.Gauge({
    name: 'dgp_cluster_workers',
    help: 'Worker processes by state: configured (N of --workers N) and ready.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'configured' }, workers);
      this.set({ state: 'ready' }, supervisor.views().filter((s) => s.ready).length);
    },
  });
  const restarts = new client.Counter({
    name: 'dgp_cluster_worker_restarts_total',
    help: 'Workers forked again after an unexpected exit, by worker slot.',
    labelNames: ['worker'],
    registers: [registry],
  });
  supervisor.on('restart', (worker: number) => restarts.inc({ worker: String(worker) }));
  return registry;
}
