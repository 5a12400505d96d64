// The coalescing leader's response body, as the host pumps it to the leader's client. When that client goes away
// while streaming followers are attached (LiveAnswer.hold), the upstream call was kept going (UpstreamHold); the
// host's return() then reads the rest of the answer — it reaches the followers through the exchange's items — and
// resolves only at its end, so the proxy releases the upstream after it, not before.
import type { LiveAnswer } from './live.js';

export class HeldBody implements AsyncIterableIterator<Buffer> {
  readonly #inner: AsyncIterator<Buffer>;

  constructor(
    inner: AsyncIterable<Buffer>,
    private readonly live: LiveAnswer,
    /** Called when the body was read to its end for the followers after the leader's client left. */
    private readonly drained: () => void,
  ) {
    this.#inner = inner[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    return this.#inner.next();
  }

  async return(): Promise<IteratorResult<Buffer>> {
    if (!this.live.hold()) return (await this.#inner.return?.()) ?? { done: true, value: undefined };
    try {
      for (;;) if ((await this.#inner.next()).done === true) break;
      this.drained();
    } catch {
      // The upstream broke off: the followers' answer ends failed (onComplete), without the leader's client.
    }
    return { done: true, value: undefined };
  }

  async throw(err?: unknown): Promise<IteratorResult<Buffer>> {
    await this.return();
    throw err;
  }
}
