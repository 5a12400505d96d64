// The retry policy contract (Pixiu pkg/cluster/retry: Attempt/Reset) and the cancellable wait it uses. Policies only
// count and compute delays; the proxy strategy decides what is retryable.

export interface RetryPolicy {
  /** Total attempts allowed on one endpoint (`times + 1`). */
  readonly maxAttempts: number;
  /**
   * Claims the next attempt: the delay in ms to wait before it (0 for the first), or undefined when none is left.
   * The strategy waits itself, so it can merge Retry-After and the deadline into the wait.
   */
  next(): number | undefined;
  /** Pixiu's Attempt(): claims the next attempt and waits its delay. False when none is left or `signal` fired. */
  attempt(signal?: AbortSignal): Promise<boolean>;
  /** Restarts the count (Pixiu Reset). */
  reset(): void;
}

export type RetryPolicyFactory = (config: Readonly<Record<string, unknown>>) => RetryPolicy;

/** Resolves after `ms`, or early with false when `signal` fires. Never rejects; the timer never outlives the wait. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Shared Attempt() on top of next(): a base class keeps each policy file to its counting rule. */
export abstract class BaseRetryPolicy implements RetryPolicy {
  protected count = 0;
  abstract readonly maxAttempts: number;

  next(): number | undefined {
    if (this.count >= this.maxAttempts) return undefined;
    const delay = this.delayBefore(this.count);
    this.count++;
    return delay;
  }

  async attempt(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return false;
    const delay = this.next();
    if (delay === undefined) return false;
    return sleep(delay, signal);
  }

  reset(): void {
    this.count = 0;
  }

  /** Delay before the attempt that follows `done` finished attempts. */
  protected abstract delayBefore(done: number): number;
}
