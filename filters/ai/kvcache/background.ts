// Background work off the request path (Pixiu's `go manageCache`). Unlike Pixiu (spec §8.3 item 26) a task is not
// tied to the request, so a fast response does not cancel it; it ends at request_timeout, or when the generation
// that started it closes (FactoryContext.signal / close()). At most `max` run at once; more are skipped and counted.
import { deadline, isTimeout } from './json-client.js';

export type TaskOutcome = 'ok' | 'error' | 'cancelled' | 'skipped';

export class BackgroundRunner {
  readonly #life = new AbortController();
  readonly #signal: AbortSignal;
  readonly #running = new Set<Promise<void>>();

  constructor(
    private readonly max: number,
    private readonly timeoutMs: number,
    generationSignal: AbortSignal,
    private readonly onOutcome: (outcome: TaskOutcome, err?: unknown) => void,
  ) {
    this.#signal = AbortSignal.any([generationSignal, this.#life.signal]);
  }

  /** Aborts when the generation closes; long-lived work (worker tasks a request stopped waiting for) uses it. */
  get lifeSignal(): AbortSignal {
    return this.#signal;
  }

  get running(): number {
    return this.#running.size;
  }

  /** Starts `task` unless the runner is closed or full; false when skipped. */
  run(task: (signal: AbortSignal) => Promise<void>): boolean {
    if (this.#signal.aborted || this.#running.size >= this.max) {
      this.onOutcome('skipped');
      return false;
    }
    const limit = deadline(this.timeoutMs, 'kvcache background task');
    const signal = AbortSignal.any([this.#signal, limit.signal]);
    const p: Promise<void> = task(signal)
      .then(
        () => this.onOutcome('ok'),
        (err: unknown) => this.onOutcome(signal.aborted && !isTimeout(signal.reason) ? 'cancelled' : 'error', err),
      )
      .finally(() => {
        limit.clear();
        this.#running.delete(p);
      });
    this.#running.add(p);
    return true;
  }

  /** Resolves once every task running now has ended (tests, and close). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  close(): void {
    this.#life.abort(new Error('kvcache filter closed'));
  }
}

/** `p`'s value, or undefined when `signal` aborts first; `p` keeps running and its rejection is handled. */
export function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  p.catch(() => undefined);
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (err: unknown) => (signal.removeEventListener('abort', onAbort), reject(err)),
    );
  });
}
