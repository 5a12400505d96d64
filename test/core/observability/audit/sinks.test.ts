// The audit sinks and queue as an operator sees them: the file rotates by size and keeps max_files; the webhook
// retries a failing receiver with backoff, then puts the batch in the dead-letter file; a full queue drops the oldest
// record and counts it, and never makes the writer wait.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t, { type Test } from 'tap';
import { AuditLog } from '../../../../core/observability/audit/audit-log.js';
import { FileSink } from '../../../../core/observability/audit/sinks/file.js';
import type { AuditEntry, AuditSink } from '../../../../core/observability/audit/sinks/sink.js';
import { WebhookSink } from '../../../../core/observability/audit/sinks/webhook.js';
import { createMetrics } from '../../../../core/observability/metrics.js';

const entry = (i: number, pad = 0): AuditEntry => ({ id: `r${i}`, line: JSON.stringify({ record_id: `r${i}`, n: i, pad: 'x'.repeat(pad) }) });

async function tempDir(t: Tap): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-audit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
type Tap = Test;

const linesOf = async (p: string): Promise<number[]> => (await readFile(p, 'utf8')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { n: number }).n);

t.test('file sink: appends JSONL and rotates by size, keeping max_files rotated files', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'logs', 'audit.jsonl');
  const sink = new FileSink({ path, maxBytes: 500, maxFiles: 2 });
  // Each record is ~130 bytes: 3 fit in 500 bytes.
  for (let i = 0; i < 12; i++) await sink.write([entry(i, 100)]);
  await sink.close();
  t.same((await readdir(join(dir, 'logs'))).sort(), ['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2'], 'the live file and two rotated ones; older ones deleted');
  t.same(await linesOf(path), [9, 10, 11], 'the live file has the newest records');
  t.same(await linesOf(`${path}.1`), [6, 7, 8]);
  t.same(await linesOf(`${path}.2`), [3, 4, 5]);
  // A new sink on the same path goes on appending to the live file (a restart).
  const again = new FileSink({ path, maxBytes: 500, maxFiles: 2 });
  await again.write([entry(12, 100)]);
  await again.close();
  t.same(await linesOf(`${path}.1`), [9, 10, 11], 'the live file was full: rotated before the next record');
  t.same(await linesOf(path), [12]);
});

async function receiver(t: Tap, statuses: number[]): Promise<{ url: string; bodies: unknown[]; times: number[] }> {
  const bodies: unknown[] = [];
  const times: number[] = [];
  const srv = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      times.push(Date.now());
      bodies.push({ contentType: req.headers['content-type'], token: req.headers['x-token'], body: JSON.parse(text) as unknown });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/ingest`, bodies, times };
}

t.test('webhook sink: batches, retries 5xx with backoff, then delivers', async (t) => {
  const rx = await receiver(t, [503, 500]);
  const sink = new WebhookSink({ url: rx.url, headers: { 'x-token': 'tk' }, batchSize: 2, timeoutMs: 2000, maxRetries: 3, retryBackoffMs: 50, deadLetter: '' });
  t.equal(await sink.write([entry(1), entry(2), entry(3)]), undefined);
  t.equal(rx.bodies.length, 4, 'two failed tries and a delivery of the first batch, then the second batch');
  t.match(rx.bodies[0], { contentType: 'application/json', token: 'tk', body: [{ n: 1 }, { n: 2 }] });
  t.same((rx.bodies[2] as { body: unknown }).body, (rx.bodies[0] as { body: unknown }).body, 'the same batch was sent again');
  t.match(rx.bodies[3], { body: [{ n: 3 }] });
  t.ok(rx.times[1]! - rx.times[0]! >= 45 && rx.times[2]! - rx.times[1]! >= 95, 'exponential backoff: 50 ms, then 100 ms');
});

t.test('webhook sink: a batch still failing after max_retries goes to the dead-letter file; a 4xx is not retried', async (t) => {
  const dir = await tempDir(t);
  const dead = join(dir, 'dl', 'dead.jsonl');
  const rx = await receiver(t, [500, 502, 503, 400]);
  const sink = new WebhookSink({ url: rx.url, headers: {}, batchSize: 10, timeoutMs: 2000, maxRetries: 2, retryBackoffMs: 10, deadLetter: dead });
  t.equal(await sink.write([entry(1), entry(2)]), 'dead_letter');
  t.equal(rx.bodies.length, 3, 'the first try and two retries');
  t.same(await linesOf(dead), [1, 2], 'the undelivered records, as JSONL');
  t.equal(await sink.write([entry(3)]), 'dead_letter');
  t.equal(rx.bodies.length, 4, 'a 400 is not retried');
  t.same(await linesOf(dead), [1, 2, 3]);
  const lost = new WebhookSink({ url: 'http://127.0.0.1:1/ingest', headers: {}, batchSize: 10, timeoutMs: 500, maxRetries: 0, retryBackoffMs: 10, deadLetter: '' });
  await t.rejects(lost.write([entry(4)]), /webhook/, 'without a dead-letter file the loss is reported to the pipeline');
});

/** A sink that holds every write until released: the queue fills behind it. */
class StuckSink implements AuditSink {
  readonly name = 'stuck';
  readonly got: number[] = [];
  release: () => void = () => undefined;
  readonly #gate = new Promise<void>((r) => (this.release = r));
  async write(batch: readonly AuditEntry[]): Promise<void> {
    await this.#gate;
    for (const e of batch) this.got.push((JSON.parse(e.line) as { n: number }).n);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

t.test('queue: bounded, drops the oldest and counts it, never blocks the writer; close flushes', async (t) => {
  const metrics = createMetrics(undefined, false);
  const sink = new StuckSink();
  const log = new AuditLog([sink], { maxQueue: 5, flushIntervalMs: 10_000, batchSize: 2 }, pino({ level: 'silent' }), metrics);
  log.write({ record_id: 'r0', n: 0 });
  log.write({ record_id: 'r1', n: 1 }); // a full batch: handed to the (stuck) sink at once
  // write() is synchronous: all ten return while the sink is stuck.
  for (let i = 2; i < 12; i++) log.write({ record_id: `r${i}`, n: i });
  t.equal(log.queued, 5, 'the queue holds at most max_queue records');
  const dropped = (await metrics.registry.getSingleMetric('dgp_audit_dropped_total')!.get()).values;
  t.match(dropped, [{ labels: { reason: 'queue_full' }, value: 5 }], 'five oldest queued records were dropped and counted');
  sink.release();
  await log.close();
  t.same(sink.got, [0, 1, 7, 8, 9, 10, 11], 'the records in flight and the newest five reached the sink on close');
  const written = (await metrics.registry.getSingleMetric('dgp_audit_records_total')!.get()).values;
  t.match(written, [{ labels: { sink: 'stuck', result: 'ok' }, value: 7 }]);
});
