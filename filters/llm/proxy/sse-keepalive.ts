// Keeps a quiet SSE response alive toward the client (reliability property 12): while the host waits for the next
// chunk and nothing has been written for `intervalMs`, a comment line is yielded instead, so load balancers and
// client read timeouts that close idle connections (often after 60 s) do not cut a model that is thinking.
// The comment is sent only on an event boundary of the bytes already delivered, never inside an unfinished event.
// It wraps the outermost body the client receives, after the usage tap and any translator, so neither sees it;
// onChunk filters do, as the comment it is (SSE parsers ignore lines that start with ':').
import { performance } from 'node:perf_hooks';
import { SseTail } from './sse-tail.js';

export const KEEP_ALIVE_COMMENT = ': keep-alive\n\n';

interface Waiter {
  resolve(r: IteratorResult<Buffer>): void;
  reject(err: unknown): void;
}

const DONE: IteratorResult<Buffer> = { done: true, value: undefined };

export class SseKeepAlive implements AsyncIterableIterator<Buffer> {
  readonly #inner: AsyncIterator<Buffer>;
  readonly #intervalMs: number;
  readonly #tail = new SseTail();
  /** The inner read in flight (it outlives a comment yielded in its place). */
  #reading = false;
  /** An inner result that arrived while nobody was waiting (the host was writing a comment). */
  #ready: { ok: IteratorResult<Buffer> } | { err: unknown } | undefined;
  #waiter: Waiter | undefined;
  /** When the current wait started (performance.now()), -1 when not waiting. */
  #since = -1;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Comments yielded so far (for the proxy's log and tests). */
  comments = 0;

  constructor(inner: AsyncIterable<Buffer>, intervalMs: number) {
    this.#inner = inner[Symbol.asyncIterator]();
    this.#intervalMs = intervalMs;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    const ready = this.#ready;
    if (ready !== undefined) {
      this.#ready = undefined;
      return 'ok' in ready ? Promise.resolve(this.#delivered(ready.ok)) : Promise.reject(ready.err);
    }
    if (this.#closed) return Promise.resolve(DONE);
    if (!this.#reading) {
      this.#reading = true;
      this.#inner.next().then(this.#onResult, this.#onError);
    }
    this.#since = performance.now();
    if (this.#timer === undefined) this.#timer = setTimeout(this.#onTimer, this.#intervalMs);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The consumer stopped early (client gone, stream cut): stop the timer and release the inner body. */
  async return(): Promise<IteratorResult<Buffer>> {
    this.#close();
    this.#ready = undefined;
    await this.#inner.return?.();
    return DONE;
  }

  async throw(err?: unknown): Promise<IteratorResult<Buffer>> {
    await this.return();
    throw err;
  }

  #delivered(r: IteratorResult<Buffer>): IteratorResult<Buffer> {
    if (r.done) this.#close();
    else this.#tail.push(r.value);
    return r;
  }

  readonly #onResult = (r: IteratorResult<Buffer>): void => {
    this.#reading = false;
    this.#since = -1;
    const w = this.#waiter;
    this.#waiter = undefined;
    if (w !== undefined) w.resolve(this.#delivered(r));
    else if (!this.#closed) this.#ready = { ok: r };
  };

  readonly #onError = (err: unknown): void => {
    this.#reading = false;
    this.#since = -1;
    this.#close();
    const w = this.#waiter;
    this.#waiter = undefined;
    // After return() nobody reads on: the inner body's rejection was its own teardown.
    if (w !== undefined) w.reject(err);
  };

  /** One timer per body, re-armed only when it fires early (no setTimeout/clearTimeout pair per chunk). */
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#closed || this.#since < 0 || this.#waiter === undefined) return; // the next wait re-arms it
    const left = this.#since + this.#intervalMs - performance.now();
    if (left > 1) {
      this.#timer = setTimeout(this.#onTimer, left);
      return;
    }
    // Inside an unfinished event nothing may be added: wait for the upstream to finish it.
    if (!this.#tail.atBoundary()) return;
    const w = this.#waiter;
    this.#waiter = undefined;
    this.#since = -1;
    this.comments++;
    w.resolve({ done: false, value: Buffer.from(KEEP_ALIVE_COMMENT) });
  };

  #close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
