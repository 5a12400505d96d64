// The request-path half of mode: lmcache (Pixiu tryRouteToCachedInstance, spec §3.4.2): one /lookup of the prompt's
// tokens within the routing budget, the instance with the most cached tokens, mapped through instance_map to an
// endpoint of the route's cluster that can take traffic. Any failure is a fallback to normal load balancing.
import { isDgpError } from '../../../core/index.js';
import { isTimeout } from './json-client.js';
import { bestInstance } from './layout.js';
import type { LmcacheClient } from './lmcache-client.js';

export type LookupResultLabel = 'hit' | 'miss' | 'error' | 'timeout' | 'breaker_open';

export interface RouteDecision {
  outcome: 'routed' | 'fallback';
  /** Why: cached_instance, prefix_index, prefix_ring; or no_prompt, bad_body, no_tokens, lookup_miss, ... */
  reason: string;
  endpointId?: string;
  /** The LMCache instance that holds the most tokens (lmcache mode). */
  instanceId?: string;
  cachedTokens?: number;
}

export interface LookupRouteInput {
  tokens: readonly number[];
  signal: AbortSignal;
  deadlineAt: number;
  instanceMap: Readonly<Record<string, string>>;
  /** True when an endpoint with this id exists in the route's cluster and can take traffic now. */
  usable(endpointId: string): boolean;
  onLookup(result: LookupResultLabel, err?: unknown): void;
}

export async function routeByLookup(lmcache: LmcacheClient, input: LookupRouteInput): Promise<RouteDecision> {
  let layout;
  try {
    layout = (await lmcache.lookup(input.tokens, input.signal, { deadlineAt: input.deadlineAt })).layout;
  } catch (err) {
    if (isDgpError(err) && err.code === 'DGP_ERR_KVCACHE_BREAKER_OPEN') {
      input.onLookup('breaker_open', err);
      return { outcome: 'fallback', reason: 'breaker_open' };
    }
    const timedOut = isTimeout(err);
    input.onLookup(timedOut ? 'timeout' : 'error', err);
    return { outcome: 'fallback', reason: timedOut ? 'lookup_timeout' : 'lookup_error' };
  }
  const best = bestInstance(layout);
  if (best === undefined) {
    input.onLookup('miss');
    return { outcome: 'fallback', reason: 'lookup_miss' };
  }
  input.onLookup('hit');
  const endpointId = input.instanceMap[best.instanceId] ?? best.instanceId;
  const found = { instanceId: best.instanceId, cachedTokens: best.tokenCount };
  // Pixiu sets the id regardless and lets the proxy ignore it; we only hint an endpoint the proxy will honour.
  if (!input.usable(endpointId)) return { outcome: 'fallback', reason: 'unknown_instance', ...found };
  return { outcome: 'routed', reason: 'cached_instance', endpointId, ...found };
}
