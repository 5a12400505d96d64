// The process-wide prom-client registry and get-or-create helpers (metrics outlive config generations).
import client, { type Counter, type Gauge, type Histogram, Registry } from 'prom-client';
import type { MetricsApi } from '../plugin-api.js';
import { CounterCells, HistogramCells, drainCounter, hookCounter } from './counter-cells.js';

export interface HostMetrics extends MetricsApi {
  readonly registry: Registry;
  readonly httpRequests: Counter<'listener' | 'route' | 'status'>;
  /** httpRequests by label set, for the per-request path (counter-cells.ts). */
  readonly httpRequestCells: CounterCells<'listener' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'listener' | 'route' | 'status'>;
  /** httpDuration by label set, for the per-request path. */
  readonly httpDurationCells: HistogramCells<'listener' | 'route' | 'status'>;
  readonly reloads: Counter<'result'>;
}

function drainCollect(this: object): void {
  drainCounter(this);
}

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createMetrics(registry = new Registry(), collectDefaults = true): HostMetrics {
  if (collectDefaults) client.collectDefaultMetrics({ register: registry });
  const get = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();
  const api: MetricsApi = {
    counter: (o) =>
      get(o.name, () => {
        // The collect hook hands over increments kept in CounterCells (counter-cells.ts) before every read.
        const counter = new client.Counter({ ...o, labelNames: o.labelNames ?? [], registers: [registry], collect: drainCollect });
        hookCounter(counter);
        return counter;
      }),
    gauge: (o) => get(o.name, () => new client.Gauge({ ...o, labelNames: o.labelNames ?? [], registers: [registry] })),
    histogram: (o) =>
      get(o.name, () => {
        // The collect hook hands over observations kept in HistogramCells before every read.
        const histogram = new client.Histogram({ ...o, labelNames: o.labelNames ?? [], buckets: o.buckets ?? LATENCY_BUCKETS, registers: [registry], collect: drainCollect });
        hookCounter(histogram);
        return histogram;
      }),
  };
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
  };
}
export type { Counter, Gauge, Histogram };
