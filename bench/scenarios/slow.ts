// The slow-stream scenario (issue 18, target 3): the load LLM traffic really has — few new requests but thousands of
// long streams in flight. Through the bare proxy and through dgp in turn: `--streams` streams opened over `--ramp` s,
// each 60 stamped chunks `--slow-gap` ms apart; then `--slow-readers` streams whose clients read slowly. Per target:
// receive − send time of every chunk, RSS per open stream over the plateau (every stream open) against the idle RSS
// after a full GC before the run, the event-loop delay the probe saw, errors.
import { readFile } from 'node:fs/promises';
import { measure } from '../lib/load-runner.js';
import type { BenchOptions } from '../lib/options.js';
import { openFds, processTree, sampleTree } from '../lib/proc-stats.js';
import { eldPercentiles, readPerTick, rssPerStreamKB, slowShape } from '../lib/slow-math.js';
import type { Percentiles } from '../lib/stats.js';
import type { LoadJob, SlowRow, Target } from '../lib/types.js';

const MB = 1024 * 1024;
/** Longer than the upstream keep-alive (4 s): the last run's sockets are closed before the idle RSS is read. */
const SETTLE_MS = 6000;
const GC_WAIT_MS = 1000;
/** Slow readers: a larger chunk every 20 ms, so the producer outruns the reader at once. */
const READER_GAP_MS = 20;
const READER_PAD = 2048;
/** Bytes of one stamped chunk besides its padding (JSON envelope, stamp, SSE framing). */
const CHUNK_OVERHEAD = 300;

const monoMs = () => Number(process.hrtime.bigint()) / 1e6;

async function eldOf(t: Target, from: number, to: number): Promise<Percentiles | undefined> {
  if (!t.eldFile) return undefined;
  return eldPercentiles(await readFile(t.eldFile, 'utf8').catch(() => ''), from, to);
}

async function once(t: Target, variant: SlowRow['variant'], job: LoadJob & { kind: 'slow' }, say: (line: string) => void): Promise<SlowRow> {
  say(`slow: ${t.name}: ${job.streams} ${variant === 'stream' ? 'streams' : 'slow readers'}, ${job.chunks} chunks ${job.gapMs} ms apart, ramp ${job.rampS.toFixed(1)} s`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  // A full GC in the target first (the probe's SIGUSR2), so the last run's garbage is not in the baseline.
  if (t.eldFile) {
    try {
      process.kill(t.pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, GC_WAIT_MS));
    } catch {
      /* gone: the run below reports it */
    }
  }
  const idle = sampleTree(processTree(t.pid)).rssBytes;
  const fdsIdle = openFds(t.pid);
  const phase: { plateau?: number; draining?: number; plateauMono?: number; drainingMono?: number } = {};
  const runStart = monoMs();
  const m = await measure(t, job, 250, (p, at) => {
    if (p.phase === 'plateau') (phase.plateau = at), (phase.plateauMono = monoMs());
    else if (phase.draining === undefined) (phase.draining = at), (phase.drainingMono = monoMs());
  });
  const runEnd = monoMs();
  const samples = m.samples.map((s) => ({ t: s.t, rssBytes: s.rssBytes }));
  const plateauOk = phase.plateau !== undefined && phase.draining !== undefined && phase.draining > phase.plateau;
  const baseline = idle;
  const perStream = plateauOk ? rssPerStreamKB(samples, baseline, phase.plateau, phase.draining, job.streams) : undefined;
  // Probe lines come once a second: a plateau shorter than that has none, then the whole run is used.
  let eld = plateauOk ? await eldOf(t, phase.plateauMono!, phase.drainingMono! + 1000) : undefined;
  let eldWindow: SlowRow['eldWindow'] = eld ? 'plateau' : undefined;
  if (!eld && (eld = await eldOf(t, runStart, runEnd + 1000))) eldWindow = 'run';
  const rss = m.samples.map((s) => s.rssBytes).filter((v): v is number => v !== undefined);
  const cpu = [m.samples[0]?.cpuSeconds, m.samples.at(-1)?.cpuSeconds];
  return {
    target: t.name,
    label: t.label,
    variant,
    streams: job.streams,
    load: m.load,
    idleRssMB: baseline === undefined ? undefined : baseline / MB,
    peakRssMB: rss.length ? Math.max(...rss) / MB : undefined,
    rssPerStreamKB: perStream,
    plateauS: plateauOk ? phase.draining! - phase.plateau! : undefined,
    eld,
    eldWindow,
    cpuPercent: cpu[0] !== undefined && cpu[1] !== undefined && m.measuredS > 0 ? ((cpu[1] - cpu[0]) / m.measuredS) * 100 : undefined,
    fdsIdle,
  };
}

const median = <T>(rows: T[], key: (r: T) => number): T => [...rows].sort((a, b) => key(a) - key(b))[Math.floor((rows.length - 1) / 2)]!;

export async function runSlow(all: Target[], opts: BenchOptions, say: (line: string) => void): Promise<SlowRow[]> {
  const targets = all.filter((t) => t.name === 'bare' || t.name === 'dgp');
  const shape = slowShape(opts.durationS, opts.slowGapMs, opts.rampS);
  const base = { req: undefined as never, warmupS: opts.warmupS, padBytes: 0, timeoutMs: (shape.holdS + shape.rampS) * 1000 + 30_000 };
  const variants: Array<{ variant: SlowRow['variant']; job: Omit<LoadJob & { kind: 'slow' }, 'req'> }> = [
    { variant: 'stream', job: { ...base, kind: 'slow', streams: opts.streams, rampS: shape.rampS, chunks: shape.chunks, gapMs: opts.slowGapMs, durationS: shape.holdS + shape.rampS } },
  ];
  if (opts.slowReaders > 0) {
    // The mock sends the same number of chunks, bigger and 20 ms apart; the reader takes about the hold time to read them.
    const total = shape.chunks * (READER_PAD + CHUNK_OVERHEAD);
    const readerJob = { ...base, kind: 'slow' as const, streams: opts.slowReaders, rampS: shape.rampS, chunks: shape.chunks, gapMs: READER_GAP_MS, padBytes: READER_PAD, readPerTick: readPerTick(total, shape.holdS), durationS: shape.holdS * 2 + shape.rampS };
    variants.push({ variant: 'slow-reader', job: { ...readerJob, timeoutMs: readerJob.durationS * 1000 + 30_000 } });
  }
  const rows: SlowRow[] = [];
  for (const v of variants) {
    const seen = new Map<string, SlowRow[]>();
    for (let i = 0; i < opts.rounds; i++) {
      for (const t of targets) seen.set(t.name, [...(seen.get(t.name) ?? []), await once(t, v.variant, { ...v.job, req: t.request }, say)]);
    }
    for (const t of targets) {
      const runs = seen.get(t.name)!;
      rows.push(v.variant === 'stream' ? median(runs, (r) => r.load.chunkLatency?.p99 ?? Infinity) : median(runs, (r) => r.rssPerStreamKB ?? Infinity));
    }
  }
  return rows;
}
