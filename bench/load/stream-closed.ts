// Closed-loop streaming load: N connections, each starting the next stream when the last one has ended; records
// time to first byte and to last byte of every stream (autocannon cannot see the first byte).
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { LoadResult, RequestSpec } from '../lib/types.js';
import { percentiles, Samples } from '../lib/stats.js';
import { STREAM_BODY } from './bodies.js';
import { timedRequest } from './timed-request.js';

export async function runStreamClosed(req: RequestSpec, connections: number, durationS: number): Promise<LoadResult> {
  const pool = new Pool(req.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const ttfb = new Samples();
  const ttlb = new Samples();
  const errorSamples = new Map<string, number>();
  let errors = 0;
  const start = performance.now();
  const deadline = start + durationS * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t = await timedRequest(pool, req.path, req.headers, STREAM_BODY, true, 10_000);
      if (t.ok) {
        ttfb.push(t.ttfbMs);
        ttlb.push(t.ttlbMs);
      } else {
        errors++;
        errorSamples.set(t.error!, (errorSamples.get(t.error!) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsedS = (performance.now() - start) / 1000;
  await pool.close();
  return {
    kind: 'sse',
    ok: ttlb.length,
    errors,
    errorSamples: [...errorSamples].map(([e, n]) => `${n}× ${e}`),
    durationS: elapsedS,
    rps: ttlb.length / elapsedS,
    ttfb: percentiles(ttfb.view()),
    ttlb: percentiles(ttlb.view()),
    resolutionMs: 0.001,
  };
}
