// The soak: a steady open-loop mix (half streams) against each gateway for 60 s after a warm-up, sampling RSS and
// open file descriptors every second, plus both once idle before and after the load (a leaked handle shows there).
import { measure } from '../lib/load-runner.js';
import { openFds, processTree, sampleTree } from '../lib/proc-stats.js';
import type { BenchOptions } from '../lib/options.js';
import type { SoakRow, Target } from '../lib/types.js';

const MB = 1024 * 1024;

// Longer than the gateway's upstream keep-alive (4 s): idle sockets are closed by then, so idle fd counts compare.
const SETTLE_MS = 6000;

function idleSample(t: Target): { rssMB: number | undefined; fds: number | undefined } {
  const rss = sampleTree(processTree(t.pid)).rssBytes;
  return { rssMB: rss === undefined ? undefined : rss / MB, fds: openFds(t.pid) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

export async function runSoak(targets: Target[], opts: BenchOptions, say: (line: string) => void): Promise<SoakRow[]> {
  const rows: SoakRow[] = [];
  const durationS = opts.durationS ?? 60;
  // The default 60 s soak gets a 10 s warm-up (JIT, pools, metric label sets); a short --duration run keeps --warmup.
  const warmupS = opts.durationS === undefined ? Math.max(10, opts.warmupS) : opts.warmupS;
  // dgp-gov: issue 18 asks the same of the whole governance chain.
  for (const t of targets.filter((x) => x.name === 'dgp' || x.name === 'dgp-workers' || x.name === 'dgp-gov')) {
    say(`soak: ${t.name}: ${opts.soakRate} req/s (half streams), ${warmupS} s warm-up + ${durationS} s, RSS and fds every second`);
    const maxInFlight = Math.max(64, Math.ceil(opts.soakRate));
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const before = idleSample(t);
    const m = await measure(t, { kind: 'open', req: t.request, rate: opts.soakRate, streamShare: 0.5, durationS, warmupS, maxInFlight }, 1000);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const after = idleSample(t);
    const samples = m.samples.map((s) => ({ t: Number(s.t.toFixed(1)), rssMB: s.rssBytes === undefined ? undefined : s.rssBytes / MB, fds: s.fds }));
    const rss = samples.map((s) => s.rssMB).filter((v): v is number => v !== undefined);
    const fds = samples.map((s) => s.fds).filter((v): v is number => v !== undefined);
    // First and last are medians of five samples, so one GC cycle does not decide the drift.
    const k = Math.min(5, Math.max(1, Math.floor(rss.length / 4)));
    const first = rss.length ? median(rss.slice(0, k)) : 0;
    const last = rss.length ? median(rss.slice(-k)) : 0;
    rows.push({
      target: t.name,
      label: t.label,
      load: m.load,
      rssMB: rss.length ? { min: Math.min(...rss), max: Math.max(...rss), first, last, driftPercent: ((last - first) / first) * 100, idleBefore: before.rssMB, idleAfter: after.rssMB } : undefined,
      fds: fds.length ? { first: median(fds.slice(0, k)), last: median(fds.slice(-k)), max: Math.max(...fds), idleBefore: before.fds, idleAfter: after.fds } : undefined,
      samples,
    });
  }
  return rows;
}
