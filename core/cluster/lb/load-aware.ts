// Load-aware policies (additions; Pixiu has none): LeastRequest picks the healthy endpoint with the fewest attempts in
// flight, LatencyEwma the one with the lowest moving average of time to first byte (first token for streams; an
// endpoint not measured yet counts as 0, so new endpoints get traffic and a measurement), CostAware the cheapest for
// the request by the installed pricer (unpriced endpoints last). Ties rotate with the cluster's round-robin cursor, so
// equal endpoints share the load.
import type { EndpointView, HashSource } from '../../cluster-api.js';
import type { LbPolicy, PolicyContext } from './types.js';

function lowest(ctx: PolicyContext, score: ((ep: EndpointView) => number) | undefined): EndpointView | undefined {
  const { healthy, cursor } = ctx;
  const n = healthy.length;
  if (n === 0) return undefined;
  const start = cursor.value % n;
  cursor.value = (cursor.value + 1) >>> 0;
  if (score === undefined) return healthy[start];
  let best = healthy[start]!;
  let bestScore = score(best);
  for (let k = 1; k < n; k++) {
    const ep = healthy[(start + k) % n]!;
    const s = score(ep);
    if (s < bestScore) {
      best = ep;
      bestScore = s;
    }
  }
  return best;
}

export function createLeastRequest(ctx: PolicyContext): LbPolicy {
  const { stats } = ctx;
  const score = stats === undefined ? undefined : (ep: EndpointView) => stats(ep).in_flight;
  return { name: 'LeastRequest', pick: () => lowest(ctx, score) };
}

export function createLatencyEwma(ctx: PolicyContext): LbPolicy {
  const { stats } = ctx;
  const score = stats === undefined ? undefined : (ep: EndpointView) => stats(ep).latency_ms ?? 0;
  return { name: 'LatencyEwma', pick: () => lowest(ctx, score) };
}

export function createCostAware(ctx: PolicyContext): LbPolicy {
  const { price } = ctx;
  return {
    name: 'CostAware',
    pick: (src: HashSource) => lowest(ctx, price === undefined ? undefined : (ep) => price(ep, src) ?? Infinity),
  };
}
