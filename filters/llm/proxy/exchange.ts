// The lifetime of one proxied request: the client's AbortSignal joined with the optional total deadline, so every
// attempt, backoff wait and (once committed) the streamed body stop together, and we can tell who stopped them.
import { performance } from 'node:perf_hooks';
import { DgpError } from '../../../core/index.js';

export class Exchange {
  readonly signal: AbortSignal;
  readonly #client: AbortSignal;
  readonly #deadline: AbortController | undefined;
  readonly #expiresAt: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(client: AbortSignal, deadlineMs: number) {
    this.#client = client;
    if (deadlineMs > 0) {
      const ctl = new AbortController();
      this.#deadline = ctl;
      this.#expiresAt = performance.now() + deadlineMs;
      this.#timer = setTimeout(
        () => ctl.abort(new DgpError('DGP_ERR_UPSTREAM_TIMEOUT', `the proxy deadline of ${deadlineMs} ms passed`)),
        deadlineMs,
      );
      this.signal = AbortSignal.any([client, ctl.signal]);
    } else {
      this.#deadline = undefined;
      this.#expiresAt = Infinity;
      this.signal = client;
    }
  }

  /** Who fired the signal: the client going away wins over the deadline. */
  cancelledBy(): 'client' | 'deadline' | undefined {
    if (this.#client.aborted) return 'client';
    if (this.#deadline?.signal.aborted) return 'deadline';
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
  }
}
