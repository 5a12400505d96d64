// Retry policies of dgp.filter.llm.proxy: NoRetry, CountBased, ExponentialBackoff and the registry.
export { registerRetryPolicy, retryPolicyNames, createRetryPolicy, getRetryPolicy } from './registry.js';
export { BaseRetryPolicy, sleep } from './policy.js';
export type { RetryPolicy, RetryPolicyFactory } from './policy.js';
export { createNoRetry } from './no-retry.js';
export { createCountBased, parseCountBasedTimes } from './count-based.js';
export { createExponentialBackoff, parseExponentialBackoff, ExponentialBackoffPolicy } from './exponential-backoff.js';
export type { ExponentialBackoffSettings } from './exponential-backoff.js';
export { parseRetryAfter } from './retry-after.js';
