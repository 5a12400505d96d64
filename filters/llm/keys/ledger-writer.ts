// Write-behind for the spend ledger: requests enqueue a row and never wait for the database. Rows are written in
// batches when `maxBatch` are queued or every `intervalMs`, one batch in flight at a time, and on close. The queue is
// bounded: when the database cannot keep up, new rows are dropped and counted (the budget counters in memory or
// Redis still hold the spend; the ledger is the audit trail and the restart source). Because the sink ignores
// request ids it has already stored, a failed batch is simply retried: a row is never counted twice.
import type { SpendRow, SpendSink } from '../../../core/llm/index.js';

export interface LedgerWriterOptions {
  /** Rows per write; a full batch is written at once. Default: 500. */
  maxBatch?: number;
  /** Longest a row waits before its batch is written, ms. Default: 1000. */
  intervalMs?: number;
  /** Rows held at most (queued + retrying); beyond it new rows are dropped. Default: 50000. */
  maxQueue?: number;
  /** Called with each failed write (the batch stays queued and is retried). */
  onError?: (err: unknown, rows: number) => void;
}

export interface LedgerWriterStats {
  /** Rows waiting to be written. */
  queued: number;
  /** Rows written (new or already present). */
  flushed: number;
  /** Rows the sink already had (retries, a second gateway reporting the same request). */
  duplicates: number;
  /** Rows refused because the queue was full or the writer was closed. */
  dropped: number;
  /** Write attempts that failed. */
  failedWrites: number;
}

export class LedgerWriter {
  readonly #sink: SpendSink;
  readonly #maxBatch: number;
  readonly #maxQueue: number;
  readonly #onError: ((err: unknown, rows: number) => void) | undefined;
  readonly #timer: NodeJS.Timeout;
  #queue: SpendRow[] = [];
  #inFlight: Promise<void> | undefined;
  #closed = false;
  #lastError: unknown;
  #stats = { flushed: 0, duplicates: 0, dropped: 0, failedWrites: 0 };

  constructor(sink: SpendSink, opts: LedgerWriterOptions = {}) {
    this.#sink = sink;
    this.#maxBatch = opts.maxBatch ?? 500;
    this.#maxQueue = opts.maxQueue ?? 50_000;
    this.#onError = opts.onError;
    if (!(this.#maxBatch >= 1 && this.#maxQueue >= this.#maxBatch)) {
      throw new RangeError(`ledger writer: maxBatch must be >= 1 and maxQueue >= maxBatch (got ${this.#maxBatch}, ${this.#maxQueue})`);
    }
    this.#timer = setInterval(() => void this.#drainOnce(), opts.intervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Queues one row; false if it was dropped (queue full or writer closed). Never throws, never waits. */
  enqueue(row: SpendRow): boolean {
    if (this.#closed || this.#queue.length >= this.#maxQueue) {
      this.#stats.dropped++;
      return false;
    }
    this.#queue.push(row);
    if (this.#queue.length >= this.#maxBatch && this.#inFlight === undefined) void this.#drainOnce();
    return true;
  }

  get stats(): LedgerWriterStats {
    return { queued: this.#queue.length, ...this.#stats };
  }

  /** Writes everything queued now; rejects with the sink's error if a batch fails (the rows stay queued). */
  async flush(): Promise<void> {
    const before = this.#stats.failedWrites;
    if (this.#inFlight !== undefined) await this.#inFlight;
    while (this.#stats.failedWrites === before && this.#queue.length > 0) await this.#drainOnce(true);
    if (this.#stats.failedWrites !== before) throw this.#lastError;
  }

  /** Stops the timer, refuses new rows and writes the rest. The host calls it on SIGTERM's graceful drain. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
  }

  /** Writes one batch unless one is already in flight. */
  #drainOnce(wait = false): Promise<void> {
    if (this.#inFlight !== undefined) return wait ? this.#inFlight : Promise.resolve();
    if (this.#queue.length === 0) return Promise.resolve();
    const batch = this.#queue.splice(0, this.#maxBatch);
    let ok = false;
    this.#inFlight = this.#sink
      .appendSpend(batch)
      .then(
        (added) => {
          ok = true;
          this.#stats.flushed += batch.length;
          this.#stats.duplicates += batch.length - added;
        },
        (err: unknown) => {
          this.#stats.failedWrites++;
          this.#lastError = err;
          // Back at the front, in order; rows beyond the bound are the newest and are dropped.
          this.#queue = batch.concat(this.#queue);
          const over = this.#queue.length - this.#maxQueue;
          if (over > 0) {
            this.#queue.length = this.#maxQueue;
            this.#stats.dropped += over;
          }
          this.#onError?.(err, batch.length);
        },
      )
      .finally(() => {
        this.#inFlight = undefined;
        // After a failure the next attempt waits for the timer: no tight retry loop against a database that is down.
        if (ok && this.#queue.length >= this.#maxBatch && !this.#closed) void this.#drainOnce();
      });
    return this.#inFlight;
  }
}
