// A streamed upstream body translated into the client's API stream, chunk by chunk. A mid-stream failure of
// the upstream body becomes one error event in the client's own format, then the iterator throws so the host cuts the
// connection: the same contract as response-body.ts, with the frame rendered by the provider translator.
import { DgpError, isDgpError } from '../../../core/index.js';
import { type ProviderError, type StreamTranslator } from '../../../core/llm/index.js';
import { flushTurn } from './response-body.js';

const EMPTY: IteratorResult<Buffer> = { done: true, value: undefined };

/** A gateway error met mid-stream, in the neutral form the client codecs render. */
export function providerErrorOf(err: unknown): ProviderError {
  const e = isDgpError(err) ? err : new DgpError('DGP_ERR_UPSTREAM_STREAM_CUT', `upstream stream ended abnormally: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  return { status: e.status, kind: e.status === 504 ? 'timeout' : 'server', message: e.message, providerType: e.code };
}

export class TranslatedBody implements AsyncIterableIterator<Buffer> {
  readonly #inner: AsyncIterator<Buffer>;
  readonly #translator: StreamTranslator;
  #pendingError: unknown;
  #done = false;

  constructor(inner: AsyncIterable<Buffer>, translator: StreamTranslator) {
    this.#inner = inner[Symbol.asyncIterator]();
    this.#translator = translator;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Buffer>> {
    if (this.#pendingError !== undefined) {
      const err = this.#pendingError;
      this.#pendingError = undefined;
      await flushTurn();
      throw err;
    }
    // Bounded by the upstream body: every turn consumes one upstream chunk, and an incomplete event yields nothing.
    while (!this.#done) {
      let r: IteratorResult<Buffer>;
      try {
        r = await this.#inner.next();
      } catch (err) {
        this.#done = true;
        const frame = this.#translator.error(providerErrorOf(err));
        if (frame.length === 0) throw err;
        this.#pendingError = err;
        return { done: false, value: frame };
      }
      if (r.done) {
        this.#done = true;
        const tail = this.#translator.end();
        return tail.length > 0 ? { done: false, value: tail } : EMPTY;
      }
      const out = this.#translator.feed(r.value);
      if (out.length > 0) return { done: false, value: out };
    }
    return EMPTY;
  }

  /** The consumer stopped early (client gone): release the upstream body now. */
  async return(): Promise<IteratorResult<Buffer>> {
    this.#done = true;
    this.#pendingError = undefined;
    await this.#inner.return?.();
    return EMPTY;
  }

  async throw(err?: unknown): Promise<IteratorResult<Buffer>> {
    await this.return();
    throw err;
  }
}
