// The streamed upstream body as ctx.response.body. A mid-stream failure (reset, idle timeout, deadline) is never a clean
// end: event streams get a final error event in the client's API shape, then the iterator throws so the host cuts the
// connection.
// return() (the host's "client went away") destroys the upstream body at once, so no socket is left open.
import type { Readable } from 'node:stream';
import { DgpError, classifyTransportError } from '../../../core/index.js';
import { factsOf, streamErrorEvent, type ClientApi } from '../../../core/llm/index.js';
import { IdleWatch } from './body-read.js';
import { hideAddresses } from './hide-addresses.js';
import { SseTail } from './sse-tail.js';
import type { BodySource } from './upstream-call.js';

export type StreamEnd = 'complete' | 'aborted' | 'stream_cut' | 'timeout';

export interface UpstreamBodyOptions {
  /** The upstream body (an UpstreamCall; readableSource adapts a Readable). It times its own silences. */
  source: BodySource;
  /** Already read to prove the stream started; yielded first. */
  first: Buffer | undefined;
  sse: boolean;
  clientApi: ClientApi;
  /** The client's query string (a Gemini client streams SSE only with `alt=sse`). */
  clientQuery?: string;
  /**
   * Default true. False: a mid-stream failure only throws, without the error event, because a translating
   * consumer (translated-body.ts) renders that frame itself in the client's stream format.
   */
  errorFrames?: boolean;
  /** Who aborted the upstream request, when its signal fired: decides between silence, 504 and 502. */
  cancelledBy(): 'client' | 'deadline' | undefined;
  /** Called exactly once, when the body ends one way or another. */
  onEnd(end: StreamEnd, error?: DgpError): void;
}


/**
 * One event-loop turn before the error that cuts the connection: node:http corks a chunked response until the next
 * tick, and the host destroys the socket as soon as the body throws, which would drop the error frame just written.
 */
export function flushTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class UpstreamBody implements AsyncIterableIterator<Buffer> {
  /** Sees every chunk as it is delivered (the LLM exchange's tap on a same-API answer); never changes it. */
  observe: ((chunk: Buffer) => void) | undefined;
  #first: Buffer | undefined;
  /** Where the delivered SSE bytes stand, read only when an error frame is needed. */
  readonly #tail = new SseTail();
  #pendingError: DgpError | undefined;
  #ended = false;

  constructor(private readonly o: UpstreamBodyOptions) {
    this.#first = o.first;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** No async-function layer: one reaction on the source's read per chunk (a stream's hot loop). */
  next(): Promise<IteratorResult<Buffer>> {
    if (this.#pendingError) {
      const err = this.#pendingError;
      this.#pendingError = undefined;
      return flushTurn().then(() => {
        throw err;
      });
    }
    if (this.#ended) return Promise.resolve({ done: true, value: undefined });
    if (this.#first) {
      const chunk = this.#first;
      this.#first = undefined;
      return new Promise((resolve) => resolve(this.#deliver(chunk)));
    }
    let read: Promise<IteratorResult<Buffer>>;
    try {
      read = this.o.source.next();
    } catch (err) {
      return new Promise((resolve) => resolve(this.#fail(err)));
    }
    return read.then(this.#onRead, this.#onReadError);
  }

  readonly #onRead = (r: IteratorResult<Buffer>): IteratorResult<Buffer> => {
    if (r.done) {
      this.#end('complete');
      return { done: true, value: undefined };
    }
    return this.#deliver(r.value);
  };

  readonly #onReadError = (err: unknown): IteratorResult<Buffer> => this.#fail(err);

  /** The consumer stopped early (client gone): tear the upstream body down now. */
  async return(): Promise<IteratorResult<Buffer>> {
    if (!this.#ended) {
      this.o.source.destroy();
      this.#end('aborted');
    }
    this.#pendingError = undefined;
    return { done: true, value: undefined };
  }

  async throw(err?: unknown): Promise<IteratorResult<Buffer>> {
    await this.return();
    throw err;
  }

  /** For onComplete: makes sure the upstream body is released even if nobody iterated it. */
  dispose(): void {
    if (this.#ended) return;
    this.o.source.destroy();
    this.#end('aborted');
  }

  #deliver(chunk: Buffer): IteratorResult<Buffer> {
    this.observe?.(chunk);
    if (this.o.sse) this.#tail.push(chunk);
    return { done: false, value: chunk };
  }

  #fail(cause: unknown): IteratorResult<Buffer> {
    this.o.source.destroy();
    const by = this.o.cancelledBy();
    let err: DgpError;
    let end: StreamEnd;
    if (by === 'client') {
      err = new DgpError('DGP_ERR_UPSTREAM_ABORTED', 'the client disconnected; the upstream stream was cancelled', { cause });
      end = 'aborted';
    } else if (by === 'deadline' || classifyTransportError(cause).kind === 'timeout') {
      const what = by === 'deadline' ? 'the proxy deadline passed' : 'the upstream sent nothing for idle_timeout';
      err = new DgpError('DGP_ERR_UPSTREAM_TIMEOUT', `upstream stream stopped: ${what}`, { cause });
      end = 'timeout';
    } else {
      err = new DgpError('DGP_ERR_UPSTREAM_STREAM_CUT', `upstream stream ended abnormally: ${hideAddresses((cause as Error)?.message ?? String(cause))}`, { cause });
      end = 'stream_cut';
    }
    this.#end(end, err);
    const event = this.o.sse && this.o.errorFrames !== false && end !== 'aborted' ? streamErrorEvent(this.o.clientApi, factsOf(err), this.o.clientQuery) : undefined;
    if (event === undefined) throw err;
    this.#pendingError = err;
    return { done: false, value: Buffer.from(this.#tail.separator() + event) };
  }

  #end(end: StreamEnd, err?: DgpError): void {
    if (this.#ended) return;
    this.#ended = true;
    this.o.onEnd(end, err);
  }
}

/**
 * A Readable as a BodySource, with the same idle limit UpstreamCall applies (for bodies that do not come from
 * UpstreamCall, and for tests): `idleMs` of silence while a read waits destroys the stream with DGP_IDLE_TIMEOUT.
 */
export function readableSource(stream: Readable, idleMs = 0): BodySource {
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const idle = new IdleWatch(idleMs, (err) => stream.destroy(err));
  return {
    async next() {
      idle.wait();
      try {
        const r = await iterator.next();
        if (r.done) idle.stop();
        return r;
      } catch (err) {
        idle.stop();
        throw err;
      } finally {
        idle.rest();
      }
    },
    destroy() {
      idle.stop();
      stream.destroy();
    },
  };
}
