// The load generator, a child process of its own (so its CPU is never the target's): receives one LoadJob over IPC,
// runs the warm-up, tells the harness that measuring starts, runs the measured load, sends the result and exits.
import type { LoadJob, LoadMessage, LoadResult } from '../lib/types.js';
import { runOpenLoop } from './open-loop.js';
import { runSlowStreams } from './slow-streams.js';
import { runStreamClosed } from './stream-closed.js';
import { runUnaryClosed } from './unary-closed.js';

function run(job: LoadJob, durationS: number, measured: boolean): Promise<LoadResult> {
  switch (job.kind) {
    case 'unary':
      return runUnaryClosed(job.req, job.connections, durationS);
    case 'sse':
      return runStreamClosed(job.req, job.connections, durationS);
    case 'open':
      return runOpenLoop(job.req, job.rate, job.streamShare, durationS, job.maxInFlight);
    case 'slow':
      if (measured) return runSlowStreams(job.req, job, (m) => process.send!(m));
      // Warm-up: a tenth of the streams (at most 100), about the warm-up's seconds of chunks, read as they come.
      return runSlowStreams(job.req, {
        ...job,
        streams: Math.min(100, Math.ceil(job.streams / 10)),
        rampS: 0,
        chunks: Math.min(job.chunks, Math.max(2, Math.round((durationS * 1000) / Math.max(1, job.gapMs)))),
        readPerTick: undefined,
      });
  }
}

const send = (m: LoadMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

process.once('message', (job: LoadJob) => {
  void (async () => {
    try {
      // The warm-up runs the same load (JIT, connection pools, caches); its numbers are thrown away.
      if (job.warmupS > 0) await run(job, job.warmupS, false);
      await send({ type: 'measuring' });
      await send({ type: 'result', result: await run(job, job.durationS, true) });
      process.exit(0);
    } catch (err) {
      await send({ type: 'error', message: (err as Error).stack ?? String(err) });
      process.exit(1);
    }
  })();
});
process.on('disconnect', () => process.exit(0));
