// Issue 18's rows in the report (bench/lib/ratios.ts): each filter's marginal CPU cost against dgp, the slow-stream
// verdicts, the governance chain and nginx against the bare proxy.
import t from 'tap';
import { parseOptions } from '../../bench/lib/options.js';
import { computeRatios, filterCosts, roundSpread, type ScenarioRows } from '../../bench/lib/ratios.js';
import type { LoadResult, Row, SlowRow, TargetName } from '../../bench/lib/types.js';

const load = (rps: number, extra: Partial<LoadResult> = {}): LoadResult => ({ kind: 'unary', ok: rps * 10, errors: 0, errorSamples: [], durationS: 10, rps, resolutionMs: 1, ...extra });
const row = (target: TargetName, rps: number, perCpuSecond: number | undefined): Row => ({ target, label: target, load: load(rps), peakRssMB: 100, cpuPercent: 100, perCpuSecond });
const slow = (target: TargetName, variant: SlowRow['variant'], p99: number, kb: number | undefined, eldP99: number, errors = 0): SlowRow => ({
  target, label: target, variant, streams: 2000, load: load(0, { kind: 'slow', errors, chunkLatency: { p50: 1, p90: 2, p99, max: p99 } }),
  idleRssMB: 60, peakRssMB: 200, rssPerStreamKB: kb, plateauS: kb === undefined ? undefined : 4, eld: { p50: 1, p90: 2, p99: eldP99, max: eldP99 }, eldWindow: 'plateau', cpuPercent: 50, fdsIdle: 20,
});
const opts = parseOptions([])!;
const byWhat = (s: ScenarioRows) => new Map(computeRatios(s, opts).map((r) => [r.what, r]));

t.test('marginal cost: target µs per request − dgp µs per request, unary and sse', async (t) => {
  const s: ScenarioRows = {
    unary: [row('bare', 1000, 10_000), row('dgp', 800, 5000), row('dgp-keys', 780, 4000), row('dgp-guardrails', 700, 2500), row('dgp-gov', 500, 2000)],
    sse: [row('dgp', 400, 2500), row('dgp-keys', 390, 2000)],
  };
  t.same(filterCosts(s), [
    { target: 'dgp-keys', filter: 'keys (budget, memory store)', unaryUs: 50, sseUs: 100 },
    { target: 'dgp-guardrails', filter: 'guardrails (PII in and out)', unaryUs: 200, sseUs: undefined },
    { target: 'dgp-gov', filter: 'whole governance chain (dgp-gov)', unaryUs: 300, sseUs: undefined },
  ]);
  t.same(filterCosts({ unary: [row('dgp', 800, undefined), row('dgp-keys', 700, 4000)] }), [{ target: 'dgp-keys', filter: 'keys (budget, memory store)', unaryUs: undefined, sseUs: undefined }], 'no CPU reading: no cost');
  const r = byWhat(s);
  t.match(r.get('dgp-gov / bare undici req/s, unary'), { value: '0.50×', status: 'NOT met' });
  t.match(r.get('dgp-gov / bare undici streams/s, sse'), { status: 'not measured' });
});

t.test('with several rounds, a ratio near its goal shows the spread of its round-by-round ratios', async (t) => {
  const rounds = (r: Row, roundRps: number[]): Row => ({ ...r, roundRps });
  const dgp = rounds(row('dgp', 1000, 1000), [1000, 1100, 900, 1000, 1200]);
  const keys = rounds(row('dgp-keys', 940, 940), [1000, 880, 900, 1020, 1080]);
  t.equal(roundSpread(keys, dgp), 'rounds 0.80–1.02×, median 1.00×');
  t.equal(roundSpread(keys, row('dgp', 1000, 1000)), undefined, 'one side without rounds');
  t.equal(roundSpread(rounds(keys, [1, 2]), dgp), undefined, 'different round counts');
  const r = byWhat({ unary: [dgp, keys, rounds(row('bare', 1250, 1250), [1250, 1250, 1250, 1250, 1250]), rounds(row('dgp-base', 1000, 1000), [1000, 1000, 1000, 1000, 1000])] });
  t.match(r.get('dgp + keys (memory) / dgp req/s, unary'), { value: '0.94×', status: 'NOT met', note: 'rounds 0.80–1.02×, median 1.00×' });
  t.match(r.get('dgp / bare undici req/s, unary'), { value: '0.80×', note: /^rounds 0\.72–0\.96×, median 0\.80×$/ });
  t.match(r.get('dgp / bare, this build against --base, unary'), { value: '0.80× vs 0.80× (0.0%)', note: 'this build / --base rounds 0.90–1.20×, median 1.00×' });
  t.notOk(byWhat({ unary: [row('dgp', 1000, 1), row('dgp-keys', 940, 1)] }).get('dgp + keys (memory) / dgp req/s, unary')!.note, 'a single round: no note');
});

t.test('nginx is reported against the bare proxy', async (t) => {
  const r = byWhat({ unary: [row('bare', 1000, 1), row('nginx', 2500, 1)] });
  t.match(r.get('nginx / bare undici req/s, unary'), { value: '2.50×', status: 'reported' });
  t.match(r.get('nginx / bare undici streams/s, sse'), { status: 'not measured', note: 'run the sse scenario' });
});

t.test('slow streams: added p99, RSS per stream against bare, event-loop delay, errors, slow readers', async (t) => {
  const met = byWhat({ slow: [slow('bare', 'stream', 8, 35, 5), slow('dgp', 'stream', 12.5, 42, 15), slow('bare', 'slow-reader', 0, 40, 5), slow('dgp', 'slow-reader', 0, 48, 9)] });
  t.match(met.get('slow streams: dgp − bare p99 per-chunk latency'), { value: '4.50 ms', status: 'met' });
  t.match(met.get('slow streams: dgp / bare RSS per open stream'), { value: '1.20×', status: 'met' });
  t.match(met.get('slow streams: dgp event-loop delay p99'), { value: '15.00 ms', status: 'met' });
  t.match(met.get('slow streams and slow readers: dgp errors'), { value: '0', status: 'met' });
  t.match(met.get('slow readers: dgp / bare RSS per open stream (memory bounded)'), { value: '1.20×', status: 'met' });
  const today = byWhat({ slow: [slow('bare', 'stream', 8, 35, 5), slow('dgp', 'stream', 18.3, 70, 25, 3), slow('bare', 'slow-reader', 0, 40, 5), slow('dgp', 'slow-reader', 0, undefined, 9)] });
  t.match(today.get('slow streams: dgp − bare p99 per-chunk latency'), { value: '10.30 ms', status: 'NOT met' });
  t.match(today.get('slow streams: dgp / bare RSS per open stream'), { value: '2.00×', status: 'NOT met' });
  t.match(today.get('slow streams: dgp event-loop delay p99'), { status: 'NOT met' });
  t.match(today.get('slow streams and slow readers: dgp errors'), { value: '3', status: 'NOT met' });
  t.match(today.get('slow readers: dgp / bare RSS per open stream (memory bounded)'), { status: 'not measured', note: /no plateau/ });
  t.match(byWhat({}).get('slow streams: dgp − bare p99 per-chunk latency'), { status: 'not measured', note: 'run the slow scenario' });
});
