// Event-loop delay probe, preloaded into a target with `node --import` for the slow scenario: a 10 ms timer notes
// how late it fires, and once a second the delays of that second are appended to $DGP_BENCH_ELD_FILE as one JSON line
// {t: CLOCK_MONOTONIC ms, d: [delay ms, ...]}, so the harness can take percentiles over any window. Unref'd: it never
// keeps a target alive. Costs the target about 100 timer callbacks a second, the same for every target it is in.
// Under --expose-gc, SIGUSR2 runs a full GC: the harness does so before it reads a target's idle RSS, so the baseline
// holds no garbage from an earlier run.
import { appendFileSync } from 'node:fs';

if (typeof globalThis.gc === 'function') process.on('SIGUSR2', () => globalThis.gc());

const file = process.env.DGP_BENCH_ELD_FILE;
if (file) {
  const TICK_MS = 10;
  const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
  let delays = [];
  let expected = nowMs() + TICK_MS;
  const tick = () => {
    const now = nowMs();
    delays.push(Math.round(Math.max(0, now - expected) * 100) / 100);
    expected = now + TICK_MS;
    setTimeout(tick, TICK_MS).unref();
  };
  setTimeout(tick, TICK_MS).unref();
  setInterval(() => {
    if (!delays.length) return;
    const line = `${JSON.stringify({ t: Math.round(nowMs()), d: delays })}\n`;
    delays = [];
    try {
      appendFileSync(file, line);
    } catch {
      /* the run's temp folder is gone: the run is over */
    }
  }, 1000).unref();
}
