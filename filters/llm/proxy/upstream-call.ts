// One upstream HTTP request through undici's dispatch handler API: the head arrives as a promise, the body as pushed
// chunks that are either collected whole (unary answers, failed attempts) or read one by one with backpressure
// (streams). Cheaper than pool.request(): no Readable, no async iterator, no AbortSignal per attempt —
// whoever gives up (client, deadline, first-byte or idle timer) calls abort(reason), and the head or the next read
// rejects with that reason at once, even while undici is still connecting. With a StreamScrubber every body byte is
// scrubbed of the endpoint's secrets as it arrives, before anything (held body, stream, translator) can read it.
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { expectSocket, type SocketWatcher } from '../../../core/index.js';
import { IdleWatch } from './body-read.js';
import type { StreamScrubber } from './secret-scrubber.js';

/** A held (collected) body; `complete` is false when it was cut at the limit or failed. Never rejects. */
export interface HeldBody {
  body: Buffer;
  complete: boolean;
  error?: unknown;
}

/** What a streamed body is read from: the async-iterator `next`, and a way to let go of the rest. */
export interface BodySource {
  next(): Promise<IteratorResult<Buffer>>;
  /** Stops the upstream body (the socket is closed, never reused half-read). */
  destroy(): void;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** Bytes held unread before undici is paused, so a slow client slows the upstream socket down. */
const HIGH_WATER = 64 * 1024;
const DONE: IteratorResult<Buffer> = { done: true, value: undefined };
const EMPTY = Buffer.alloc(0);

export class UpstreamCall implements Dispatcher.DispatchHandler, BodySource, SocketWatcher {
  status = 0;
  headers: Record<string, string | string[] | undefined> = {};
  #controller: Dispatcher.DispatchController | undefined;
  #failed = false;
  #error: unknown;
  #ended = false;
  #head: Waiter<void> | undefined;
  #chunks: Buffer[] = [];
  #size = 0;
  #paused = false;
  #reader: Waiter<IteratorResult<Buffer>> | undefined;
  #collect: { limit: number; done(held: HeldBody): void } | undefined;
  readonly #idle: IdleWatch;
  readonly #scrub: StreamScrubber | undefined;
  #method = '';
  #path = '';
  /** The socket the request went out on, until the response head arrives; whether it had carried a request before. */
  #socket: Socket | undefined;
  #reused = false;
  #bytesReadAtSend = 0;

  /** `idleMs`: most upstream silence while a body read waits (0 = none); see IdleWatch. */
  constructor(idleMs: number, scrub?: StreamScrubber) {
    this.#idle = new IdleWatch(idleMs, (err) => this.abort(err));
    this.#scrub = scrub;
  }

  /** Sends the request; resolves once the response head is in, rejects with the transport error or abort reason. */
  start(pool: Pick<Dispatcher, 'dispatch'>, options: Dispatcher.DispatchOptions): Promise<void> {
    this.#method = options.method;
    this.#path = options.path;
    return new Promise<void>((resolve, reject) => {
      this.#head = { resolve, reject };
      pool.dispatch(options, this);
    });
  }

  /** Gives up on this call (idempotent): a pending head or read rejects with `reason`, the socket is closed. */
  abort(reason: Error): void {
    if (this.#failed || this.#ended) return;
    this.#fail(reason);
    this.#controller?.abort(reason);
  }

  /**
   * The request went out on a reused keep-alive socket and that socket closed or reset before a single response byte
   * came back: the keep-alive race, where the server closed the idle socket as the request arrived.
   */
  closedUnansweredOnReusedSocket(): boolean {
    return this.#reused && this.status === 0 && this.#socket !== undefined && this.#socket.bytesRead === this.#bytesReadAtSend;
  }

  onSocket(socket: Socket, reused: boolean): void {
    this.#socket = socket;
    this.#reused = reused;
    this.#bytesReadAtSend = socket.bytesRead;
  }

  destroy(): void {
    this.abort(Object.assign(new Error('the upstream body was released before its end'), { code: 'UND_ERR_ABORTED' }));
  }

  next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      this.#size -= chunk.length;
      if (this.#paused && this.#size < HIGH_WATER / 2) this.#resume();
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(DONE);
    this.#idle.wait();
    this.#resume();
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
  }

  /** Reads the whole body, up to `limit` bytes (past it the call is aborted and the body is incomplete). */
  collect(limit: number): Promise<HeldBody> {
    return new Promise<HeldBody>((done) => {
      this.#collect = { limit, done };
      if (this.#size > limit) return this.#cut();
      if (this.#failed) return this.#settleCollect(false, this.#error);
      if (this.#ended) return this.#settleCollect(true);
      this.#idle.wait();
      this.#resume();
    });
  }

  // --- undici's handler callbacks -------------------------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#failed) controller.abort(this.#error as Error);
    else expectSocket(this, this.#method, this.#path);
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    if (status < 200 || this.#failed) return; // 1xx informational heads are not the answer
    this.status = status;
    this.headers = headers;
    this.#socket = undefined;
    const head = this.#head;
    this.#head = undefined;
    head?.resolve();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#failed) return;
    if (this.#scrub !== undefined) {
      chunk = this.#scrub.push(chunk);
      if (chunk.length === 0) {
        // All held back (the start of a secret): bytes did arrive, so the silence starts now.
        if (this.#reader !== undefined || this.#collect !== undefined) this.#idle.wait();
        return;
      }
    }
    this.#accept(controller, chunk);
  }

  #accept(controller: Dispatcher.DispatchController | undefined, chunk: Buffer): void {
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      this.#idle.rest();
      reader.resolve({ done: false, value: chunk });
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.#collect !== undefined) {
      if (this.#size > this.#collect.limit) this.#cut();
      else this.#idle.wait(); // silence is measured from the last chunk
    } else if (this.#size >= HIGH_WATER && !this.#paused && controller !== undefined) {
      this.#paused = true;
      controller.pause();
    }
  }

  onResponseEnd(): void {
    if (this.#failed) return;
    // A held tail that never became a secret belongs to the body.
    const tail = this.#scrub?.end();
    if (tail !== undefined && tail.length > 0) this.#accept(undefined, tail);
    if (this.#failed) return;
    this.#ended = true;
    this.#idle.stop();
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.resolve(DONE);
    if (this.#collect !== undefined) this.#settleCollect(true);
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    this.#fail(error);
  }

  // --- internals ----------------------------------------------------------------------------------------------------

  #fail(error: unknown): void {
    if (this.#failed || this.#ended) return;
    this.#failed = true;
    this.#error = error;
    this.#idle.stop();
    const head = this.#head;
    this.#head = undefined;
    head?.reject(error);
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.reject(error);
    if (this.#collect !== undefined) this.#settleCollect(false, error);
    else this.#chunks = [];
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#controller?.resume();
  }

  /** Past the limit: keep exactly `limit` bytes and close the socket (a half-read body cannot be reused). */
  #cut(): void {
    const limit = this.#collect!.limit;
    const body = Buffer.concat(this.#chunks, this.#size).subarray(0, limit);
    const done = this.#collect!.done;
    this.#collect = undefined;
    this.#chunks = [];
    this.destroy();
    done({ body, complete: false });
  }

  #settleCollect(complete: boolean, error?: unknown): void {
    const c = this.#collect!;
    this.#collect = undefined;
    const chunks = this.#chunks;
    this.#chunks = [];
    const body = chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#size);
    this.#size = 0;
    c.done(error === undefined ? { body, complete } : { body, complete, error });
  }
}
