// The audit pipeline: a bounded in-memory queue in front of the sinks. A request only serialises its record and
// queues it (never waits for a sink); a timer hands queued records to every sink in batches, one flush at a time.
// When the queue is full the oldest record is dropped and counted (dgp_audit_dropped_total): the newest facts win.
// close() (SIGTERM, Gateway.close) flushes what is queued, then closes the sinks.
import { randomUUID } from 'node:crypto';
import type { Counter, Gauge } from 'prom-client';
import type { Logger } from 'pino';
import type { MetricsApi } from '../../plugin-api.js';
import type { AuditSink, AuditEntry } from './sinks/sink.js';

export interface AuditLogOptions {
  maxQueue: number;
  flushIntervalMs: number;
  /** Most records handed to the sinks per batch. */
  batchSize?: number;
}

export class AuditLog {
  readonly #sinks: readonly AuditSink[];
  readonly #log: Logger;
  readonly #max: number;
  readonly #batch: number;
  /** A ring of queued entries: #head is the oldest, #size how many. */
  readonly #ring: Array<AuditEntry | undefined>;
  #head = 0;
  #size = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  readonly #written: Counter<'sink' | 'result'>;
  readonly #dropped: Counter<'reason'>;
  readonly #queued: Gauge;

  constructor(sinks: readonly AuditSink[], o: AuditLogOptions, log: Logger, metrics: MetricsApi) {
    this.#sinks = sinks;
    this.#log = log;
    this.#max = o.maxQueue;
    this.#batch = o.batchSize ?? 500;
    this.#ring = new Array<AuditEntry | undefined>(o.maxQueue);
    this.#written = metrics.counter({ name: 'dgp_audit_records_total', help: 'Audit records handed to a sink, by sink and result (ok, failed, dead_letter).', labelNames: ['sink', 'result'] });
    this.#dropped = metrics.counter({ name: 'dgp_audit_dropped_total', help: 'Audit records dropped before any sink had them (queue_full: the oldest queued record made room).', labelNames: ['reason'] });
    this.#queued = metrics.gauge({ name: 'dgp_audit_queue_length', help: 'Audit records waiting for the sinks.' });
    this.#timer = setInterval(() => void this.flush(), Math.max(10, o.flushIntervalMs));
    this.#timer.unref();
  }

  /** Queues one record (serialised now: the request's objects are free at once). Never blocks, never throws. */
  write(record: Record<string, unknown>): void {
    if (this.#closed) {
      this.#dropped.inc({ reason: 'closed' });
      return;
    }
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch (err) {
      this.#log.error({ err }, 'audit: a record could not be serialised; dropped');
      this.#dropped.inc({ reason: 'unserializable' });
      return;
    }
    // The id idempotent sinks deduplicate on: every record the host builds has one; a record without gets its own.
    const id = typeof record.record_id === 'string' && record.record_id !== '' ? record.record_id : randomUUID();
    const entry: AuditEntry = { id, line };
    if (this.#size === this.#max) {
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#max;
      this.#size--;
      this.#dropped.inc({ reason: 'queue_full' });
    }
    this.#ring[(this.#head + this.#size) % this.#max] = entry;
    this.#size++;
    if (this.#size >= this.#batch && this.#flushing === undefined) void this.flush();
  }

  get queued(): number {
    return this.#size;
  }

  /** Hands every queued record to the sinks; resolves when they have them (one flush at a time). */
  flush(): Promise<void> {
    if (this.#flushing !== undefined) return this.#flushing.then(() => (this.#size > 0 ? this.flush() : undefined));
    if (this.#size === 0) return Promise.resolve();
    const run = this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    this.#flushing = run;
    return run;
  }

  async #drain(): Promise<void> {
    while (this.#size > 0) {
      const n = Math.min(this.#size, this.#batch);
      const batch: AuditEntry[] = new Array<AuditEntry>(n);
      for (let i = 0; i < n; i++) {
        batch[i] = this.#ring[this.#head]!;
        this.#ring[this.#head] = undefined;
        this.#head = (this.#head + 1) % this.#max;
      }
      this.#size -= n;
      this.#queued.set(this.#size);
      await Promise.all(this.#sinks.map((s) => this.#deliver(s, batch)));
    }
  }

  async #deliver(sink: AuditSink, batch: readonly AuditEntry[]): Promise<void> {
    try {
      const r = await sink.write(batch);
      this.#written.inc({ sink: sink.name, result: r === 'dead_letter' ? 'dead_letter' : 'ok' }, batch.length);
    } catch (err) {
      this.#written.inc({ sink: sink.name, result: 'failed' }, batch.length);
      this.#log.error({ err, sink: sink.name, records: batch.length }, `audit: sink ${sink.name} failed; ${batch.length} record(s) lost for it`);
    }
  }

  /** Stops the timer, flushes what is queued, closes the sinks. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return this.#flushing;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
    await Promise.all(this.#sinks.map((s) => s.close().catch((err: unknown) => this.#log.error({ err, sink: s.name }, 'audit: closing a sink failed'))));
  }
}
