// The OTLP protobuf dgp writes, decoded by the test receiver's own decoder: every attribute type, UTF-8, values cut at
// attribute_value_limit, spans and attributes past 127 bytes (multi-byte lengths), error status with and without a
// message, parent ids, times; batches of max_export_batch, in order, and the export bound counted as drops.
import { pino } from 'pino';
import { Counter } from 'prom-client';
import t from 'tap';
import { OtlpHttpExport } from '../../../../core/observability/tracing/otlp-export.js';
import { RecordedSpan, SPAN_KIND_CLIENT, SPAN_KIND_SERVER, randomHexId } from '../../../../core/observability/tracing/span.js';
import { attrs, otlpReceiver } from '../../../helpers/otlp-receiver.js';

const counter = (name: string): Counter => new Counter({ name, help: name, registers: [] });
const count = async (c: Counter): Promise<number> => (await c.get()).values[0]?.value ?? 0;

function exporter(url: string, o: { maxQueue?: number; maxBatch?: number; delay?: number; limit?: number; timeout?: number } = {}) {
  const dropped = counter('dropped');
  const failed = counter('failed');
  const x = new OtlpHttpExport(
    { url, headers: { 'x-token': 't1' }, timeout: o.timeout ?? 2000, maxQueue: o.maxQueue ?? 2048, maxBatch: o.maxBatch ?? 512, delay: o.delay ?? 60_000, serviceName: 'svc-ü', scopeName: 'dgp-gateway', limit: o.limit ?? 4096 },
    dropped,
    failed,
    pino({ level: 'silent' }),
  );
  return { x, dropped, failed };
}

t.test('every attribute type, UTF-8, cut values and long spans decode as they were set', async (t) => {
  const rx = await otlpReceiver(t);
  const { x, failed } = exporter(rx.url, { limit: 300 });
  const traceId = randomHexId(16);
  const started = performance.now();
  const server = new RecordedSpan(x, traceId, undefined, 'POST /v1/chat/completions', SPAN_KIND_SERVER, started);
  const client = new RecordedSpan(x, traceId, server.spanId, 'chat modèle-☃', SPAN_KIND_CLIENT, started + 1);
  const long = 'ä'.repeat(1000);
  const values = {
    str: 'hello',
    unicode: 'naïve ☃ 😀',
    empty: '',
    long,
    int: 42,
    big: 2 ** 40 + 3,
    negative: -7,
    zero: 0,
    double: 0.0000063,
    huge: 2 ** 60,
    yes: true,
    no: false,
    reasons: ['stop', 'length'],
    numbers: [1, 2.5, -3],
    'clé-ü': 'v',
  };
  for (const [k, v] of Object.entries(values)) client.set(k, v);
  client.set('str', 'last write wins');
  client.fail('connect_error');
  client.end();
  client.set('after', 'ignored');
  server.set('http.response.status_code', 502);
  server.fail(undefined);
  server.end();
  server.end();
  await x.flush();
  t.same(rx.errors, []);
  t.equal(rx.requests, 1);
  t.same(rx.resources, [{ attributes: [{ key: 'service.name', value: { stringValue: 'svc-ü' } }] }]);
  t.equal(rx.spans.length, 2, 'a span ends once');
  const [c, s] = rx.spans;
  t.match(c, { traceId, spanId: client.spanId, parentSpanId: server.spanId, name: 'chat modèle-☃', kind: 3, status: { code: 2, message: 'connect_error' } });
  t.match(s, { traceId, spanId: server.spanId, name: 'POST /v1/chat/completions', kind: 2, status: { code: 2 } });
  t.notOk('parentSpanId' in s!, 'a root span has no parent');
  t.notOk('message' in s!.status!, 'no message when none was given');
  t.same(attrs(c!), { ...values, str: 'last write wins', long: 'ä'.repeat(300) }, 'values cut at the limit, in characters');
  const ns = (v: string): bigint => BigInt(v);
  const apart = ns(c!.startTimeUnixNano) - ns(s!.startTimeUnixNano);
  t.ok(apart >= 999_999n && apart <= 1_000_001n, `times to the nanosecond (1 ms apart: ${apart} ns)`);
  t.ok(ns(s!.endTimeUnixNano) >= ns(c!.endTimeUnixNano), 'ended after the CLIENT span');
  const epochNs = BigInt(Math.round((performance.timeOrigin + started) * 1000)) * 1000n;
  t.ok(ns(s!.startTimeUnixNano) - epochNs < 2000n && epochNs - ns(s!.startTimeUnixNano) < 2000n, 'Unix time of the start');
  t.equal(await count(failed), 0);
  await x.close();
});

t.test('batches of max_export_batch in order; past max_queue spans are dropped and counted', async (t) => {
  const rx = await otlpReceiver(t);
  const { x, dropped } = exporter(rx.url, { maxBatch: 500, maxQueue: 1200 });
  const traceId = randomHexId(16);
  for (let i = 0; i < 1300; i++) {
    const span = new RecordedSpan(x, traceId, undefined, `span ${i}`, SPAN_KIND_SERVER, performance.now());
    span.set('i', i);
    span.end();
  }
  t.equal(await count(dropped), 100, 'the 1,201st span on: 1,200 were waiting or under way');
  await x.close();
  t.same(rx.errors, []);
  t.equal(rx.requests, 3, '500 + 500 + 200');
  t.same(rx.spans.map((s) => attrs(s).i), Array.from({ length: 1200 }, (_, i) => i), 'every span once, in order');
  const after = new RecordedSpan(x, traceId, undefined, 'late', SPAN_KIND_SERVER, performance.now());
  after.end();
  t.equal(await count(dropped), 101, 'a closed export takes no more spans');
});

t.test('closing against a collector that answers 503: the first failed export ends the flush, the rest is counted as failed', async (t) => {
  const rx = await otlpReceiver(t, () => 503);
  const { x, failed } = exporter(rx.url, { maxBatch: 2, timeout: 5000 });
  const traceId = randomHexId(16);
  for (let i = 0; i < 6; i++) new RecordedSpan(x, traceId, undefined, `span ${i}`, SPAN_KIND_SERVER, performance.now()).end();
  const started = performance.now();
  await x.close();
  t.ok(performance.now() - started < 2000, 'no wait for the timeout');
  t.equal(rx.requests, 1, 'no batch after the failed one');
  t.equal(await count(failed), 6, 'the failed batch and the 4 spans still queued');
});

t.test('closing against a collector that hangs takes at most exporter.timeout; the spans not exported are counted as failed', async (t) => {
  const rx = await otlpReceiver(t, () => 'hang');
  const { x, failed, dropped } = exporter(rx.url, { maxBatch: 2, timeout: 1000 });
  const traceId = randomHexId(16);
  for (let i = 0; i < 6; i++) new RecordedSpan(x, traceId, undefined, `span ${i}`, SPAN_KIND_SERVER, performance.now()).end();
  const started = performance.now();
  await x.close();
  const took = performance.now() - started;
  t.ok(took >= 950 && took < 3000, `close took ${Math.round(took)} ms (exporter.timeout 1s)`);
  t.equal(rx.requests, 1, 'one export under way (the collector never answered it)');
  await new Promise((r) => setTimeout(r, 50));
  t.equal(await count(failed), 6, 'the batch under way and the 4 queued spans');
  t.equal(await count(dropped), 0);
});
