// Closed-loop unary load with autocannon: N connections, each sending the next request when the last answer ends.
import autocannon from 'autocannon';
import type { LoadResult, RequestSpec } from '../lib/types.js';
import { UNARY_BODY } from './bodies.js';

export async function runUnaryClosed(req: RequestSpec, connections: number, durationS: number): Promise<LoadResult> {
  const r = await autocannon({
    url: req.origin + req.path,
    method: 'POST',
    headers: req.headers,
    body: UNARY_BODY,
    connections,
    pipelining: 1,
    duration: durationS,
    timeout: 10,
  });
  const errors = r.errors + r.timeouts + r.non2xx;
  const samples = [
    ...(r.non2xx ? [`${r.non2xx} non-2xx answers`] : []),
    ...(r.errors ? [`${r.errors} socket errors`] : []),
    ...(r.timeouts ? [`${r.timeouts} timeouts`] : []),
  ];
  return {
    kind: 'unary',
    ok: r['2xx'],
    errors,
    errorSamples: samples,
    durationS: r.duration,
    rps: r['2xx'] / r.duration,
    latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    resolutionMs: 1,
  };
}
