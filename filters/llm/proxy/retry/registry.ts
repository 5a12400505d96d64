// Retry policy registry (Pixiu retry.go): names match case-insensitively, registering a name again overwrites it,
// and every request gets a fresh policy per endpoint.
import { DgpError, type EndpointView } from '../../../../core/index.js';
import { createCountBased } from './count-based.js';
import { createExponentialBackoff } from './exponential-backoff.js';
import { createNoRetry } from './no-retry.js';
import type { RetryPolicy, RetryPolicyFactory } from './policy.js';

const factories = new Map<string, RetryPolicyFactory>();

/**
 * Registers (or, with a warning through `warn`, overwrites) a policy under a case-insensitive name.
 * Returns true when an existing policy was replaced.
 */
export function registerRetryPolicy(name: string, factory: RetryPolicyFactory, warn?: (msg: string) => void): boolean {
  const key = name.toLowerCase();
  const replaced = factories.has(key);
  if (replaced) warn?.(`retry policy type '${key}' is being overwritten`);
  factories.set(key, factory);
  return replaced;
}

export function retryPolicyNames(): string[] {
  return [...factories.keys()];
}

/** A fresh policy by name; throws Error with Pixiu's text for an unknown name or a bad config. */
export function createRetryPolicy(name: string, config: Readonly<Record<string, unknown>>, endpointId = ''): RetryPolicy {
  const factory = factories.get(name.toLowerCase());
  if (factory === undefined) throw new Error(`unknown retry policy type '${name}' specified for endpoint ${endpointId}`);
  return factory(config);
}

/**
 * The endpoint's policy (llm_meta.retry_policy). An endpoint without llm_meta gets NoRetry: Pixiu dereferences nil
 * there and answers 500. Failures become DGP_ERR_UPSTREAM_RETRY_POLICY carrying Pixiu's message.
 */
export function getRetryPolicy(ep: EndpointView): RetryPolicy {
  const rp = ep.llmMeta?.retry_policy;
  const name = rp?.name === undefined || rp.name === '' ? 'NoRetry' : rp.name;
  try {
    return createRetryPolicy(name, rp?.config ?? {}, ep.id);
  } catch (err) {
    throw new DgpError('DGP_ERR_UPSTREAM_RETRY_POLICY', (err as Error).message, { cause: err, details: { endpoint: ep.id } });
  }
}

registerRetryPolicy('NoRetry', () => createNoRetry());
registerRetryPolicy('CountBased', (c) => createCountBased(c));
registerRetryPolicy('ExponentialBackoff', (c) => createExponentialBackoff(c));
