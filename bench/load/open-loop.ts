// Open-loop load: requests start at a fixed rate whatever the answers do (a slow target cannot slow the generator
// down and hide its own latency). A share of them are streams. In-flight requests are capped; a start that would
// pass the cap is dropped and counted as an error, so a stalled target cannot exhaust the generator.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { LoadResult, RequestSpec } from '../lib/types.js';
import { percentiles, Samples } from '../lib/stats.js';
import { STREAM_BODY, UNARY_BODY } from './bodies.js';
import { timedRequest, type Timing } from './timed-request.js';

export async function runOpenLoop(req: RequestSpec, rate: number, streamShare: number, durationS: number, maxInFlight: number): Promise<LoadResult> {
  const pool = new Pool(req.origin, { connections: maxInFlight, pipelining: 1, keepAliveTimeout: 30_000 });
  const total = Math.max(1, Math.round(rate * durationS));
  const intervalMs = 1000 / rate;
  const unary = new Samples();
  const ttfb = new Samples();
  const ttlb = new Samples();
  const lag = new Samples();
  const errorSamples = new Map<string, number>();
  let errors = 0;
  let sent = 0;
  let inFlight = 0;
  const fail = (why: string) => {
    errors++;
    errorSamples.set(why, (errorSamples.get(why) ?? 0) + 1);
  };
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const record = (stream: boolean, t: Timing) => {
      inFlight--;
      if (!t.ok) fail(t.error!);
      else if (stream) (ttfb.push(t.ttfbMs), ttlb.push(t.ttlbMs));
      else unary.push(t.ttlbMs);
      if (sent === total && inFlight === 0) resolve();
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        lag.push(now - (start + sent * intervalMs));
        // Spread the streams evenly and deterministically over the sequence.
        const stream = Math.floor((sent + 1) * streamShare) > Math.floor(sent * streamShare);
        sent++;
        if (inFlight >= maxInFlight) {
          fail(`dropped: ${maxInFlight} requests already in flight`);
          continue;
        }
        inFlight++;
        void timedRequest(pool, req.path, req.headers, stream ? STREAM_BODY : UNARY_BODY, stream, 10_000).then((t) => record(stream, t));
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
      else if (inFlight === 0) resolve();
    };
    tick();
  });
  const elapsedS = (performance.now() - start) / 1000;
  await pool.close();
  const ok = unary.length + ttlb.length;
  return {
    kind: 'open',
    ok,
    errors,
    errorSamples: [...errorSamples].map(([e, n]) => `${n}× ${e}`),
    durationS: elapsedS,
    rps: ok / elapsedS,
    latency: percentiles(unary.view()),
    ttfb: percentiles(ttfb.view()),
    ttlb: percentiles(ttlb.view()),
    resolutionMs: 0.001,
    sendLagP99Ms: percentiles(lag.view())?.p99,
  };
}
