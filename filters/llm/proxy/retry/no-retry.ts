// NoRetry (Pixiu noretry/no_retry.go): one attempt, `config` ignored. The default policy.
import { BaseRetryPolicy, type RetryPolicy } from './policy.js';

class NoRetryPolicy extends BaseRetryPolicy {
  readonly maxAttempts = 1;
  protected delayBefore(): number {
    return 0;
  }
}

export function createNoRetry(): RetryPolicy {
  return new NoRetryPolicy();
}
