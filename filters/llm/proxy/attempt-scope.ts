// The lifetime of one proxied request: the client's AbortSignal joined with the optional total deadline, so every
// attempt, backoff wait and (once committed) the streamed body stop together, and we can tell who stopped them.
// The current attempt is aborted with a reason by whoever stops it (client, deadline): cheaper than the
// AbortSignal.any chains, which Node 20 builds slowly and keeps alive until GC.
import { performance } from 'node:perf_hooks';
import { DgpError, type RequestContext } from '../../../core/index.js';

/** What the AttemptScope watches of the request: whether the client left, and how to hear of it. */
export type ClientSide = Pick<RequestContext, 'aborted' | 'signal' | 'onAbort'>;

interface Abortable {
  abort(reason: Error): void;
}

export class AttemptScope {
  readonly #client: ClientSide;
  readonly #deadlineMs: number;
  readonly #expiresAt: number;
  #timer: NodeJS.Timeout | undefined;
  #deadlineHit = false;
  /** The signal of the current attempt (or backoff wait); the committed attempt's also governs its body. */
  #current: Abortable | undefined;
  #listening = false;
  readonly #hold: (() => boolean) | undefined;
  #committed = false;
  /** Requests sent again after the keep-alive race (attempt.ts), with how the socket closed. */
  readonly resends: string[] = [];

  constructor(client: ClientSide, deadlineMs: number, hold?: () => boolean) {
    this.#client = client;
    this.#hold = hold;
    this.#deadlineMs = deadlineMs;
    this.#expiresAt = deadlineMs > 0 ? performance.now() + deadlineMs : Infinity;
    if (deadlineMs > 0) this.#timer = setTimeout(this.#onDeadline, deadlineMs);
  }

  /**
   * Makes `call` the current attempt: it is aborted when the client goes away or the deadline passes (at once when
   * either already happened), and by its own first-byte and idle timers.
   */
  track(call: Abortable): void {
    this.#arm(call);
  }

  resent(code: string): void {
    this.resends.push(code);
  }

  /** A signal for a backoff wait that fires like an attempt is aborted (retry policies' sleep takes an AbortSignal). */
  waitSignal(): AbortSignal {
    return this.#arm(new AbortController()).signal;
  }

  #arm<T extends Abortable>(target: T): T {
    this.#current = target;
    if (this.#client.aborted) target.abort(clientGone());
    else if (this.#deadlineHit) target.abort(this.#deadlineError());
    else if (!this.#listening) {
      this.#listening = true;
      // The host's onAbort when it has one: ctx.signal would build an AbortController for every request.
      if (this.#client.onAbort) this.#client.onAbort(this.#onClientAbort);
      else this.#client.signal.addEventListener('abort', this.#onClientAbort, { once: true });
    }
    return target;
  }

  /** Who fired the signal: the client going away wins over the deadline. */
  cancelledBy(): 'client' | 'deadline' | undefined {
    if (this.#client.aborted) return 'client';
    if (this.#deadlineHit) return 'deadline';
    return undefined;
  }

  /** Milliseconds left before the deadline; Infinity without one. */
  remaining(): number {
    return this.#expiresAt === Infinity ? Infinity : Math.max(0, this.#expiresAt - performance.now());
  }

  /** Stops the deadline timer once the response is complete (or was never going to be streamed). */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    // onAbort listeners cannot be removed; they end with the request, and abort() on a finished call does nothing.
    if (this.#listening && !this.#client.onAbort) this.#client.signal.removeEventListener('abort', this.#onClientAbort);
    this.#listening = false;
  }

  readonly #onClientAbort = (): void => {
    // Only a committed call with an answer other requests still read is held; before that nothing was shared yet.
    if (this.#committed && this.#hold?.() === true) return;
    this.#current?.abort(clientGone());
  };

  /** The current attempt is the answer: from now on a hold (UpstreamHold) may keep it going without its client. */
  commit(): void {
    this.#committed = true;
  }

  readonly #onDeadline = (): void => {
    this.#timer = undefined;
    this.#deadlineHit = true;
    this.#current?.abort(this.#deadlineError());
  };

  #deadlineError(): DgpError {
    return new DgpError('DGP_ERR_UPSTREAM_TIMEOUT', `the proxy deadline of ${this.#deadlineMs} ms passed`);
  }
}

function clientGone(): DgpError {
  return new DgpError('DGP_ERR_UPSTREAM_ABORTED', 'the client disconnected; the upstream request was cancelled');
}
