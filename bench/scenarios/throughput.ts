// The unary, sse and latency scenarios: the same load against every target in turn, one row per target.
import { measure, toRow } from '../lib/load-runner.js';
import type { BenchOptions } from '../lib/options.js';
import type { LoadResult, Row, Target, TargetName } from '../lib/types.js';

const SAMPLE_EVERY_MS = 250;

/**
 * Runs `once` for every target, `rounds` times, interleaved (so a burst of outside load hurts every target alike),
 * and keeps each target's median row by `key`.
 */
async function inRounds(targets: Target[], rounds: number, once: (t: Target, round: number) => Promise<Row>, key: (r: Row) => number): Promise<Row[]> {
  const seen = new Map<TargetName, Row[]>();
  for (let i = 0; i < rounds; i++) {
    for (const t of targets) seen.set(t.name, [...(seen.get(t.name) ?? []), await once(t, i)]);
  }
  return targets.map((t) => {
    const inOrder = seen.get(t.name)!;
    const rows = [...inOrder].sort((a, b) => key(a) - key(b));
    const median = rows[Math.floor((rows.length - 1) / 2)]!;
    return rounds > 1 ? { ...median, roundRps: inOrder.map((r) => r.load.rps) } : median;
  });
}

const roundText = (i: number, n: number) => (n > 1 ? ` (round ${i + 1}/${n})` : '');

export async function runClosedLoop(kind: 'unary' | 'sse', targets: Target[], opts: BenchOptions, say: (line: string) => void): Promise<Row[]> {
  const durationS = opts.durationS ?? 10;
  return inRounds(
    targets,
    opts.rounds,
    async (t, i) => {
      say(`${kind}: ${t.name}: ${opts.connections} connections, ${opts.warmupS} s warm-up + ${durationS} s${roundText(i, opts.rounds)}`);
      const row = toRow(t, await measure(t, { kind, req: t.request, connections: opts.connections, durationS, warmupS: opts.warmupS }, SAMPLE_EVERY_MS));
      say(`${kind}: ${t.name}: ${Math.round(row.load.rps)} ${kind === 'sse' ? 'streams' : 'requests'}/s${row.perCpuSecond === undefined ? '' : `, ${Math.round(row.perCpuSecond)} per CPU-second`}`);
      return row;
    },
    (r) => r.load.rps,
  );
}

/** Open loop at a fixed rate: one pass of unary requests, one of streams; the row joins both. */
export async function runLatency(targets: Target[], opts: BenchOptions, say: (line: string) => void): Promise<Row[]> {
  const durationS = opts.durationS ?? 10;
  // Enough sockets for a second of answers to be late before starts are dropped.
  const maxInFlight = Math.max(64, Math.ceil(opts.rate));
  return inRounds(
    targets,
    opts.rounds,
    async (t, i) => {
      say(`latency: ${t.name}: ${opts.rate} req/s open loop, unary then streams, ${opts.warmupS} s warm-up + ${durationS} s each${roundText(i, opts.rounds)}`);
      const base = { kind: 'open', req: t.request, rate: opts.rate, durationS, warmupS: opts.warmupS, maxInFlight } as const;
      const unary = toRow(t, await measure(t, { ...base, streamShare: 0 }, SAMPLE_EVERY_MS));
      const streams = toRow(t, await measure(t, { ...base, streamShare: 1 }, SAMPLE_EVERY_MS));
      return joinRows(unary, streams);
    },
    (r) => r.load.latency?.p50 ?? Infinity,
  );
}

function joinRows(unary: Row, streams: Row): Row {
  const u = unary.load;
  const s = streams.load;
  const load: LoadResult = {
    kind: 'open',
    ok: u.ok + s.ok,
    errors: u.errors + s.errors,
    errorSamples: [...u.errorSamples, ...s.errorSamples],
    durationS: u.durationS + s.durationS,
    rps: u.rps,
    latency: u.latency,
    ttfb: s.ttfb,
    ttlb: s.ttlb,
    resolutionMs: Math.max(u.resolutionMs, s.resolutionMs),
    sendLagP99Ms: Math.max(u.sendLagP99Ms ?? 0, s.sendLagP99Ms ?? 0),
  };
  const max = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));
  const avg = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : (a + b) / 2);
  return { ...unary, load, peakRssMB: max(unary.peakRssMB, streams.peakRssMB), cpuPercent: avg(unary.cpuPercent, streams.cpuPercent), perCpuSecond: unary.perCpuSecond };
}
