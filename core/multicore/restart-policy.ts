// When a crashed worker is started again: exponential backoff per worker slot (100 ms doubling to 10 s), forgotten once
// the worker had run healthy for 30 s. A crash loop therefore settles at one fork every 10 s instead of spinning a core.

export interface RestartPolicy {
  /** Delay before the first restart after a healthy run, ms. */
  initialMs: number;
  /** Longest delay, ms. */
  maxMs: number;
  /** A worker that ran at least this long before exiting counts as healthy: the backoff starts over, ms. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = Object.freeze({ initialMs: 100, maxMs: 10_000, resetAfterMs: 30_000 });

export interface RestartDecision {
  /** Wait this long before forking the replacement, ms. */
  delayMs: number;
  /** Consecutive quick exits so far, including this one (feed it back in for the next exit of the same slot). */
  streak: number;
}

/**
 * The delay for a worker that exited after `uptimeMs` (time since it was forked), given the slot's `streak` of quick
 * exits before this one.
 */
export function nextRestart(policy: RestartPolicy, streak: number, uptimeMs: number): RestartDecision {
  const previous = uptimeMs >= policy.resetAfterMs ? 0 : streak;
  // 2 ** 30 already exceeds any sensible maxMs; capping the exponent keeps the arithmetic finite on endless loops.
  const delayMs = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(previous, 30));
  return { delayMs, streak: previous + 1 };
}
