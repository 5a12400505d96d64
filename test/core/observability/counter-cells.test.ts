// CounterCells: increments kept per label set are visible on every read of a host-made counter (the collect hook
// drains them), zero increments still create the series, other counters are incremented at once, close() hands over.
import { Counter, Registry } from 'prom-client';
import t from 'tap';
import { CounterCells } from '../../../core/index.js';
import { createMetrics } from '../../../core/observability/metrics.js';

async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const json = await registry.getMetricsAsJSON();
  const metric = json.find((m) => m.name === name) as unknown as { values: Array<{ labels: Record<string, string>; value: number }> } | undefined;
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

t.test('a host counter: every read sees the increments, text and JSON alike; 0 creates the series', async (t) => {
  const m = createMetrics(new Registry(), false);
  const counter = m.counter({ name: 'test_cells_total', help: 'h', labelNames: ['a'] });
  const cells = new CounterCells(counter);
  const x = cells.cell({ a: 'x' });
  const zero = cells.cell({ a: 'zero' });
  for (let i = 0; i < 5; i++) x.add();
  x.add(2.5);
  zero.add(0);
  t.equal(await value(m.registry, 'test_cells_total', { a: 'x' }), 7.5);
  t.equal(await value(m.registry, 'test_cells_total', { a: 'zero' }), 0);
  x.add(1);
  t.match(await m.registry.metrics(), /test_cells_total\{a="x"\} 8.5/);
  t.equal((await counter.get()).values.find((v) => v.labels.a === 'x')?.value, 8.5, 'Counter#get drains too');
  t.throws(() => x.add(-1), TypeError);
});

t.test('a counter the host did not make is incremented at once', async (t) => {
  const registry = new Registry();
  const counter = new Counter({ name: 'test_plain_total', help: 'h', labelNames: ['a'], registers: [registry] });
  new CounterCells(counter).cell({ a: 'y' }).add(3);
  t.equal((await counter.get()).values[0]?.value, 3);
});

t.test('close() hands pending increments over and detaches; two cell sets on one counter add up', async (t) => {
  const m = createMetrics(new Registry(), false);
  const counter = m.counter({ name: 'test_close_total', help: 'h', labelNames: ['a'] });
  const old = new CounterCells(counter);
  const current = new CounterCells(counter);
  old.cell({ a: 'z' }).add(2);
  current.cell({ a: 'z' }).add(3);
  old.close();
  t.equal(await value(m.registry, 'test_close_total', { a: 'z' }), 5);
  current.cell({ a: 'z' }).add(1);
  t.equal(await value(m.registry, 'test_close_total', { a: 'z' }), 6);
});

t.test('dgp_http_requests_total through the host cells', async (t) => {
  const m = createMetrics(new Registry(), false);
  const cell = m.httpRequestCells.cell({ listener: 'l', route: 'r', status: '200' });
  cell.add();
  cell.add();
  t.match(await m.registry.metrics(), /dgp_http_requests_total\{listener="l",route="r",status="200"\} 2/);
});
