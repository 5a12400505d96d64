// The series cap: past metric.max_series_per_metric label sets a metric creates no more series (counter, gauge,
// histogram, through inc/set/observe, labels() and the cells alike); existing series keep counting; drops are counted
// per metric; reset() and remove() free room.
import { Registry } from 'prom-client';
import t from 'tap';
import { CounterCells, HistogramCells } from '../../../core/index.js';
import { createMetrics } from '../../../core/observability/metrics.js';

const series = async (registry: Registry, name: string): Promise<number> =>
  (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values.filter((v) => !('le' in v.labels)).length ?? 0;

/** Series of a histogram: one `_count` value each. */
const histogramSeries = async (registry: Registry, name: string): Promise<number> =>
  ((await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values as Array<{ metricName?: string }> | undefined)?.filter((v) => v.metricName === `${name}_count`).length ?? 0;

async function dropped(registry: Registry, metric: string): Promise<number> {
  const json = await registry.getMetricsAsJSON();
  const m = json.find((x) => x.name === 'dgp_metrics_series_dropped_total');
  return m?.values.find((v) => v.labels.metric === metric)?.value ?? 0;
}

t.test('counters, gauges and histograms stop at the cap; drops are counted; old series keep counting', async (t) => {
  const m = createMetrics(new Registry(), false, 10);
  const c = m.counter({ name: 'cap_c_total', help: 'h', labelNames: ['model'] });
  const g = m.gauge({ name: 'cap_g', help: 'h', labelNames: ['model'] });
  const h = m.histogram({ name: 'cap_h_seconds', help: 'h', labelNames: ['model'], buckets: [1] });
  for (let i = 0; i < 25; i++) {
    c.inc({ model: `m${i}` });
    g.labels({ model: `m${i}` }).set(i);
    h.observe({ model: `m${i}` }, 0.5);
  }
  c.inc({ model: 'm0' }, 4);
  t.equal(await series(m.registry, 'cap_c_total'), 10, 'counter: 10 series');
  t.equal(await series(m.registry, 'cap_g'), 10, 'gauge: 10 series');
  t.equal(await histogramSeries(m.registry, 'cap_h_seconds'), 10, 'histogram: 10 series');
  t.match(await m.registry.metrics(), /cap_c_total\{model="m0"\} 5/, 'an existing series still counts');
  t.equal(await dropped(m.registry, 'cap_c_total'), 15);
  t.equal(await dropped(m.registry, 'cap_g'), 15);
  t.equal(await dropped(m.registry, 'cap_h_seconds'), 15);
});

t.test('the cells path is capped too, and reset()/remove() free room', async (t) => {
  const m = createMetrics(new Registry(), false, 3);
  const c = m.counter({ name: 'cap_cells_total', help: 'h', labelNames: ['model'] });
  const h = m.histogram({ name: 'cap_cells_seconds', help: 'h', labelNames: ['model'], buckets: [1] });
  const cc = new CounterCells(c);
  const hc = new HistogramCells(h);
  for (let i = 0; i < 6; i++) {
    cc.cell({ model: `m${i}` }).add(2);
    hc.cell({ model: `m${i}` }).observe(0.1);
  }
  t.equal(await series(m.registry, 'cap_cells_total'), 3);
  t.equal(await dropped(m.registry, 'cap_cells_total'), 3);
  t.equal(await histogramSeries(m.registry, 'cap_cells_seconds'), 3);
  c.remove({ model: 'm0' });
  c.inc({ model: 'new' });
  t.match(await m.registry.metrics(), /cap_cells_total\{model="new"\} 1/, 'remove() freed a slot');
  c.reset();
  for (let i = 0; i < 3; i++) c.inc({ model: `r${i}` });
  t.equal(await series(m.registry, 'cap_cells_total'), 3, 'reset() started over with room for 3');
});

t.test('0 means no cap', async (t) => {
  const m = createMetrics(new Registry(), false, 0);
  const c = m.counter({ name: 'cap_none_total', help: 'h', labelNames: ['model'] });
  for (let i = 0; i < 3000; i++) c.inc({ model: `m${i}` });
  t.equal(await series(m.registry, 'cap_none_total'), 3000);
});
