// The export queue: ended spans wait here as OTLP protobuf bytes (encoded when they end, one buffer per batch),
// bounded by max_queue counting the spans of the export under way, and go to the collector as OTLP/HTTP
// (application/x-protobuf) in batches of max_export_batch — at once when a batch is full, else after schedule_delay —
// one export at a time, off the request path. Past max_queue a span is dropped and counted
// (dgp_tracing_spans_dropped_total); a failed export loses its spans, counted (dgp_tracing_spans_failed_total) and
// logged once per outage. Closing exports what is queued.
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { Agent, request } from 'undici';
import { Envelope } from './otlp-envelope.js';
import { ProtoWriter, writeSpan, type SpanData } from './otlp-proto.js';
import type { SpanSink } from './span.js';

export interface OtlpExportOptions {
  url: string;
  headers: Record<string, string>;
  /** ms, one export. */
  timeout: number;
  maxQueue: number;
  maxBatch: number;
  /** ms. */
  delay: number;
  serviceName: string;
  scopeName: string;
  /** Longest string attribute value (attribute_value_limit). */
  limit: number;
}

/** Encoded spans of one export request. */
interface Batch {
  readonly w: ProtoWriter;
  count: number;
}

export class OtlpHttpExport implements SpanSink {
  readonly #o: OtlpExportOptions;
  readonly #headers: Record<string, string>;
  readonly #agent = new Agent({ connections: 2 });
  readonly #envelope: Envelope;
  /** Bytes a new batch's buffer starts with: a little more than the last batch used, so it rarely grows. */
  #batchSize: number;
  /** The buffer of the last export, once it succeeded: the next batch writes into it (no new external memory). */
  #spare: Buffer | undefined;
  #open: Batch | undefined;
  readonly #sealed: Batch[] = [];
  #queued = 0;
  #inFlight = 0;
  #exporting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failing = false;
  #closed = false;

  constructor(
    o: OtlpExportOptions,
    private readonly dropped: Counter,
    private readonly failed: Counter,
    private readonly log: Logger,
  ) {
    this.#o = o;
    this.#headers = { ...o.headers, 'content-type': 'application/x-protobuf' };
    this.#envelope = new Envelope(o.serviceName, o.scopeName);
    this.#batchSize = Math.min(64 * 1024, this.#envelope.room + o.maxBatch * 1024);
  }

  /** Spans queued or being exported. */
  get pending(): number {
    return this.#queued + this.#inFlight;
  }

  push(span: SpanData): void {
    if (this.#closed || this.pending >= this.#o.maxQueue) {
      this.dropped.inc();
      return;
    }
    const batch = (this.#open ??= this.#newBatch());
    writeSpan(batch.w, span, this.#o.limit);
    batch.count++;
    this.#queued++;
    if (batch.count >= this.#o.maxBatch) {
      this.#seal();
      this.#next();
    } else {
      this.#timer ??= setTimeout(this.#onTimer, this.#o.delay).unref();
    }
  }

  /** An export under way keeps the open batch open (it fills up to max_export_batch); its end re-arms the timer. */
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#exporting !== undefined) return;
    this.#seal();
    this.#next();
  };

  #newBatch(): Batch {
    const w = new ProtoWriter(0);
    w.buf = this.#spare ?? Buffer.allocUnsafe(this.#batchSize);
    this.#spare = undefined;
    w.pos = this.#envelope.room;
    return { w, count: 0 };
  }

  #seal(): void {
    if (this.#open === undefined) return;
    this.#sealed.push(this.#open);
    this.#open = undefined;
  }

  /** Starts the next export unless one is under way (that one starts the next when it settles). */
  #next(): void {
    if (this.#exporting !== undefined) return;
    const batch = this.#sealed.shift();
    if (batch === undefined) return;
    this.#queued -= batch.count;
    this.#inFlight = batch.count;
    this.#exporting = this.#post(batch).then((ok) => {
      // A collector that answered 2xx read the whole body; after a failure the socket may not be done with it.
      if (ok) this.#spare = batch.w.buf;
      this.#inFlight = 0;
      this.#exporting = undefined;
      // Shutting down: a collector that failed or hung on this batch gets no more; the rest is counted as failed.
      if (!ok && this.#closed) this.#abandonQueued();
      else if (this.#sealed.length > 0) this.#next();
      else if (this.#open !== undefined) this.#timer ??= setTimeout(this.#onTimer, this.#o.delay).unref();
    });
  }

  /** True when the collector took the batch. */
  async #post(batch: Batch): Promise<boolean> {
    let failure: string | undefined;
    try {
      const w = batch.w;
      this.#batchSize = Math.max(1024, w.pos + (w.pos >> 2));
      const room = this.#envelope.room;
      const start = this.#envelope.write(w.buf, room, w.pos - room);
      const res = await request(this.#o.url, {
        method: 'POST',
        headers: this.#headers,
        body: w.buf.subarray(start, w.pos),
        dispatcher: this.#agent,
        headersTimeout: this.#o.timeout,
        bodyTimeout: this.#o.timeout,
        signal: AbortSignal.timeout(this.#o.timeout),
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300) failure = `status ${res.statusCode}`;
    } catch (err) {
      failure = (err as Error).message;
    }
    if (failure !== undefined) {
      this.failed.inc(batch.count);
      if (!this.#failing) this.log.warn({ err: failure, spans: batch.count }, 'tracing: exporting spans failed; they are lost (counted in dgp_tracing_spans_failed_total) until the collector answers again');
      this.#failing = true;
      return false;
    }
    if (this.#failing) {
      this.#failing = false;
      this.log.info('tracing: exporting spans works again');
    }
    return true;
  }

  /** Exports everything queued now; resolves when the queue is empty and no export is under way. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#seal();
    for (;;) {
      this.#next();
      const under = this.#exporting;
      if (under === undefined) return;
      await under;
    }
  }

  /**
   * Takes no more spans and exports the queued ones, for at most exporter.timeout in all (a collector that hangs must
   * not hold a shutdown for one timeout per batch), and stops at the first export that fails: what is still queued
   * then is counted as failed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, this.#o.timeout, 'late')));
    const outcome = await Promise.race([this.flush().then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late' || this.#failing) {
      this.#abandonQueued();
      await this.#agent.destroy();
      return;
    }
    await this.#agent.close();
  }

  /** Drops every span not yet under way, counted as failed. */
  #abandonQueued(): void {
    const lost = this.#queued;
    this.#sealed.length = 0;
    this.#open = undefined;
    this.#queued = 0;
    if (lost > 0) this.failed.inc(lost);
  }
}
