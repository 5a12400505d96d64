// HistogramCells: observations kept per label set give exactly the exposition text a plain prom-client histogram gives
// for the same values (buckets, +Inf, sum, count), on every read, after reset(), alongside direct observe() calls on
// the same series, and for histograms the host did not make (observed at once).
import { Histogram, Registry } from 'prom-client';
import t from 'tap';
import { HistogramCells } from '../../../core/index.js';
import { createMetrics } from '../../../core/observability/metrics.js';

const BUCKETS = [0.01, 0.1, 1, 10];
const VALUES = [0.005, 0.01, 0.05, 0.5, 0.5, 2, 100, 0];

function reference(values: number[], labels: Record<string, string>[]): Promise<string> {
  const registry = new Registry();
  const h = new Histogram({ name: 'test_h_seconds', help: 'h', labelNames: ['a'], buckets: BUCKETS, registers: [registry] });
  for (const l of labels) for (const v of values) h.observe(l, v);
  return registry.getSingleMetricAsString('test_h_seconds');
}

t.test('cells give the same exposition as direct observations, read after read', async (t) => {
  const m = createMetrics(new Registry(), false);
  const h = m.histogram({ name: 'test_h_seconds', help: 'h', labelNames: ['a'], buckets: BUCKETS });
  const cells = new HistogramCells(h);
  const x = cells.cell({ a: 'x' });
  const y = cells.cell({ a: 'y' });
  for (const v of VALUES) x.observe(v);
  for (const v of VALUES) y.observe(v);
  t.equal(await m.registry.getSingleMetricAsString('test_h_seconds'), await reference(VALUES, [{ a: 'x' }, { a: 'y' }]));
  // A second batch on top of the first: the series entry found on the first drain is reused.
  for (const v of VALUES) x.observe(v);
  for (const v of VALUES) y.observe(v);
  t.equal(await m.registry.getSingleMetricAsString('test_h_seconds'), await reference([...VALUES, ...VALUES], [{ a: 'x' }, { a: 'y' }]));
  t.match(await m.registry.metrics(), /test_h_seconds_count\{a="x"\} 16/);
  t.throws(() => x.observe(Number.NaN), TypeError);
});

t.test('after reset() and next to direct observe() calls on the same label values, nothing is lost', async (t) => {
  const m = createMetrics(new Registry(), false);
  const h = m.histogram({ name: 'test_h_seconds', help: 'h', labelNames: ['a'], buckets: BUCKETS });
  const x = new HistogramCells(h).cell({ a: 'x' });
  for (const v of VALUES) x.observe(v);
  await m.registry.metrics();
  h.reset();
  h.observe({ a: 'x' }, 0.5); // a plugin observing the same series with its own label object
  for (const v of VALUES) x.observe(v);
  t.equal(await m.registry.getSingleMetricAsString('test_h_seconds'), await reference([0.5, ...VALUES], [{ a: 'x' }]));
  t.equal((await h.get()).values.find((v) => v.metricName === 'test_h_seconds_count')?.value, VALUES.length + 1, 'Histogram#get drains too');
});

t.test('close() hands pending observations over; a histogram the host did not make is observed at once', async (t) => {
  const m = createMetrics(new Registry(), false);
  const h = m.histogram({ name: 'test_h_seconds', help: 'h', labelNames: ['a'], buckets: BUCKETS });
  const cells = new HistogramCells(h);
  cells.cell({ a: 'x' }).observe(0.5);
  cells.close();
  t.match(await m.registry.metrics(), /test_h_seconds_count\{a="x"\} 1/);

  const registry = new Registry();
  const plain = new Histogram({ name: 'test_plain_seconds', help: 'h', labelNames: ['a'], buckets: BUCKETS, registers: [registry] });
  new HistogramCells(plain).cell({ a: 'y' }).observe(2);
  t.match(await registry.metrics(), /test_plain_seconds_sum\{a="y"\} 2/);
});
