// Merging the workers' registries: counters and histograms are summed exactly, gauges keep one series per worker.
import t from 'tap';
import { Registry } from 'prom-client';
import { createMetrics } from '../../../core/observability/metrics.js';
import { aggregateMetrics, metricsAsJson } from '../../../core/multicore/metrics-aggregate.js';
import { sumOf } from './helpers.js';

async function worker(requests: number, seconds: number, inFlight: number) {
  const m = createMetrics(new Registry(), false);
  for (let i = 0; i < requests; i++) {
    m.httpRequests.inc({ listener: 'main', route: 'r', status: '200' });
    m.httpDuration.observe({ listener: 'main', route: 'r', status: '200' }, seconds);
  }
  m.httpRequests.inc({ listener: 'main', route: 'r', status: '404' });
  m.gauge({ name: 'dgp_test_in_flight', help: 'in flight' }).set(inFlight);
  return metricsAsJson(m.registry);
}

t.test('sums are exact; gauges are labelled by worker', async (t) => {
  const text = await aggregateMetrics([
    { worker: '1', metrics: await worker(7, 0.003, 2) },
    { worker: '2', metrics: await worker(5, 0.2, 9) },
  ]).metrics();
  t.match(text, /^dgp_http_requests_total\{listener="main",route="r",status="200"\} 12$/m);
  t.match(text, /^dgp_http_requests_total\{listener="main",route="r",status="404"\} 2$/m);
  t.equal(sumOf(text, 'dgp_http_requests_total'), 14);
  t.match(text, /^dgp_http_request_duration_seconds_bucket\{le="0.005",listener="main",route="r",status="200"\} 7$/m);
  t.match(text, /^dgp_http_request_duration_seconds_bucket\{le="0.25",listener="main",route="r",status="200"\} 12$/m);
  t.match(text, /^dgp_http_request_duration_seconds_count\{listener="main",route="r",status="200"\} 12$/m);
  t.match(text, /^# TYPE dgp_config_reloads_total counter$/m, 'a counter with no series yet is still declared');
  t.match(text, /^dgp_test_in_flight\{worker="1"\} 2$/m);
  t.match(text, /^dgp_test_in_flight\{worker="2"\} 9$/m);
  t.equal((text.match(/^# TYPE dgp_http_requests_total counter$/gm) ?? []).length, 1, 'one family, not one per worker');
});

t.test('the primary-only dgp_cluster_* gauges carry no worker label', async (t) => {
  const reg = new Registry();
  const m = createMetrics(reg, false);
  m.gauge({ name: 'dgp_cluster_workers', help: 'workers', labelNames: ['state'] }).set({ state: 'ready' }, 2);
  const text = await aggregateMetrics([{ worker: 'primary', metrics: await metricsAsJson(reg) }]).metrics();
  t.match(text, /^dgp_cluster_workers\{state="ready"\} 2$/m);
});
