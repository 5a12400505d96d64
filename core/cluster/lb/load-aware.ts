// Load-aware policies (additions; Pixiu has none): LeastRequest picks the healthy endpoint with the fewest attempts in
// flight, LatencyEwma the one with the lowest moving average of time to first byte (first token for streams; an
// endpoint not measured yet counts as 0, so new endpoints get traffic and a measurement). Ties rotate with the
// cluster's round-robin cursor, so equal endpoints share the load.
import type { EndpointStatsView, EndpointView } from '../../plugin-api.js';
import type { LbPolicy, PolicyContext } from './types.js';

function lowest(ctx: PolicyContext, score: (s: EndpointStatsView) => number): EndpointView | undefined {
  const { healthy, cursor, stats } = ctx;
  const n = healthy.length;
  if (n === 0) return undefined;
  const start = cursor.value % n;
  cursor.value = (cursor.value + 1) >>> 0;
  if (stats === undefined) return healthy[start];
  let best: EndpointView | undefined;
  let bestScore = Infinity;
  for (let k = 0; k < n; k++) {
    const ep = healthy[(start + k) % n]!;
    const s = score(stats(ep));
    if (s < bestScore) {
      best = ep;
      bestScore = s;
    }
  }
  return best;
}

export function createLeastRequest(ctx: PolicyContext): LbPolicy {
  return { name: 'LeastRequest', pick: () => lowest(ctx, (s) => s.in_flight) };
}

export function createLatencyEwma(ctx: PolicyContext): LbPolicy {
  return { name: 'LatencyEwma', pick: () => lowest(ctx, (s) => s.latency_ms ?? 0) };
}
