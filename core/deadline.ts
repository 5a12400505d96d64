// Bounds plugin code the host awaits (create, close, stop, a decode chain): the promise is raced against a timer that
// is cleared as soon as it settles. The losing promise keeps running; the caller decides what to do with a late result.

export const TIMED_OUT: unique symbol = Symbol('dgp.timedOut');

/** Resolves with the value, or with TIMED_OUT after `ms` (ms <= 0: no bound). Rejections pass through. */
export function within<T>(work: PromiseLike<T> | T, ms: number): Promise<T | typeof TIMED_OUT> {
  const p = Promise.resolve(work);
  if (!(ms > 0) || !Number.isFinite(ms)) return p;
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
    timer.unref();
  });
  return Promise.race([p, expiry]).finally(() => clearTimeout(timer));
}
