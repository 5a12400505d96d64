// The process-wide prom-client registry and get-or-create helpers (metrics outlive config generations).
import client, { type Counter, type Gauge, type Histogram, Registry } from 'prom-client';
import type { MetricsApi } from '../plugin-api.js';
import { CounterCells, HistogramCells, drainCounter, hookCounter } from './counter-cells.js';
import { SeriesCap } from './series-cap.js';

export interface HostMetrics extends MetricsApi {
  readonly registry: Registry;
  readonly httpRequests: Counter<'listener' | 'route' | 'status'>;
  /** httpRequests by label set, for the per-request path (counter-cells.ts). */
  readonly httpRequestCells: CounterCells<'listener' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'listener' | 'route' | 'status'>;
  /** httpDuration by label set, for the per-request path. */
  readonly httpDurationCells: HistogramCells<'listener' | 'route' | 'status'>;
  readonly reloads: Counter<'result'>;
  /** The cap on series per metric (metric.max_series_per_metric). */
  readonly seriesCap: SeriesCap;
}

function drainCollect(this: object): void {
  drainCounter(this);
}

/**
 * prom-client's default Node.js metrics without its three `nodejs_active_*_total` gauges: a gauge named `_total` is a
 * `promtool check metrics` lint error, and `nodejs_active_{handles,requests,resources}` (by type) carry the same counts.
 */
export function collectNodeMetrics(registry: Registry): void {
  client.collectDefaultMetrics({ register: registry });
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
}

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** `maxSeries`: the cap on label sets per metric (0 = none); see series-cap.ts. */
export function createMetrics(registry = new Registry(), collectDefaults = true, maxSeries?: number): HostMetrics {
  if (collectDefaults) collectNodeMetrics(registry);
  const cap = new SeriesCap(maxSeries);
  const get = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();
  const capped = <M extends object>(metric: M): M => (cap.guard(metric), metric);
  const api: MetricsApi = {
    counter: (o) =>
      get(o.name, () => {
        // The collect hook hands over increments kept in CounterCells (counter-cells.ts) before every read.
        const counter = new client.Counter({ ...o, labelNames: o.labelNames ?? [], registers: [registry], collect: drainCollect });
        hookCounter(counter);
        return capped(counter);
      }),
    gauge: (o) => get(o.name, () => capped(new client.Gauge({ ...o, labelNames: o.labelNames ?? [], registers: [registry] }))),
    histogram: (o) =>
      get(o.name, () => {
        // The collect hook hands over observations kept in HistogramCells before every read.
        const histogram = new client.Histogram({ ...o, labelNames: o.labelNames ?? [], buckets: o.buckets ?? LATENCY_BUCKETS, registers: [registry], collect: drainCollect });
        hookCounter(histogram);
        return capped(histogram);
      }),
  };
  // Not through api.counter: the drop counter itself is exempt from the cap (its one label names a metric).
  cap.report(
    (registry.getSingleMetric('dgp_metrics_series_dropped_total') as Counter<'metric'> | undefined) ??
      new client.Counter({
        name: 'dgp_metrics_series_dropped_total',
        help: 'Writes dropped because they would have created a series past metric.max_series_per_metric label sets of that metric.',
        labelNames: ['metric'],
        registers: [registry],
      }),
  );
  const httpRequests = api.counter({
    name: 'dgp_http_requests_total',
    help: 'HTTP requests answered, by listener, route and status.',
    labelNames: ['listener', 'route', 'status'],
  });
  const httpDuration = api.histogram({
    name: 'dgp_http_request_duration_seconds',
    help: 'Time from request arrival to the last response byte, by listener, route and status.',
    labelNames: ['listener', 'route', 'status'],
  });
  return {
    ...api,
    registry,
    httpRequests,
    httpRequestCells: new CounterCells(httpRequests),
    httpDuration,
    httpDurationCells: new HistogramCells(httpDuration),
    reloads: api.counter({ name: 'dgp_config_reloads_total', help: 'Config reloads by result.', labelNames: ['result'] }),
    seriesCap: cap,
  };
}
export type { Counter, Gauge, Histogram };
