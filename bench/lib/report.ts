// The Markdown report printed on stdout: the machine, one table per scenario, skipped targets with reasons, error
// samples, and the targets as ratios marked met / NOT met.
import { machineLine, type Machine } from './machine.js';
import type { BenchOptions } from './options.js';
import { filterCosts, type Ratio, type ScenarioRows } from './ratios.js';
import type { Percentiles } from './stats.js';
import type { Row, SkippedTarget, SlowRow, SoakRow } from './types.js';

const na = 'n/a';
const ms = (v: number | undefined, resolution: number) => (v === undefined ? na : resolution >= 1 ? v.toFixed(0) : v.toFixed(2));
const int = (v: number | undefined) => (v === undefined ? na : Math.round(v).toLocaleString('en-US'));
const mb = (v: number | undefined) => (v === undefined ? na : v.toFixed(0));
const plus = (a: number | undefined, b: number | undefined, resolution: number) => {
  if (a === undefined || b === undefined) return na;
  const d = a - b;
  return `${d >= 0 ? '+' : ''}${resolution >= 1 ? d.toFixed(0) : d.toFixed(2)}`;
};

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const direct = (rows: Row[]) => rows.find((r) => r.target === 'direct');
const pick = (p: Percentiles | undefined, k: keyof Percentiles) => p?.[k];

function unaryTable(rows: Row[], connections: number): string {
  const d = direct(rows);
  const body = rows.map((r) => {
    const res = r.load.resolutionMs;
    return [r.label, int(r.load.rps), ms(pick(r.load.latency, 'p50'), res), ms(pick(r.load.latency, 'p90'), res), ms(pick(r.load.latency, 'p99'), res),
      plus(pick(r.load.latency, 'p50'), pick(d?.load.latency, 'p50'), res), int(r.cpuPercent), int(r.perCpuSecond), mb(r.peakRssMB), int(r.load.errors)];
  });
  return `### unary: closed loop, ${connections} connections (latency in whole ms: autocannon's resolution)\n\n` +
    table(['target', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', '+p50 vs direct', 'CPU %', 'req/CPU-s', 'peak RSS MB', 'errors'], body);
}

function sseTable(rows: Row[], connections: number): string {
  const d = direct(rows);
  const body = rows.map((r) => [r.label, int(r.load.rps), ms(pick(r.load.ttfb, 'p50'), 0), ms(pick(r.load.ttfb, 'p99'), 0), ms(pick(r.load.ttlb, 'p50'), 0),
    ms(pick(r.load.ttlb, 'p99'), 0), plus(pick(r.load.ttfb, 'p50'), pick(d?.load.ttfb, 'p50'), 0), int(r.cpuPercent), int(r.perCpuSecond), mb(r.peakRssMB), int(r.load.errors)]);
  return `### sse: closed loop, ${connections} connections, 20 chunks + usage per stream\n\n` +
    table(['target', 'streams/s', 'TTFB p50 ms', 'TTFB p99 ms', 'TTLB p50 ms', 'TTLB p99 ms', '+TTFB p50 vs direct', 'CPU %', 'streams/CPU-s', 'peak RSS MB', 'errors'], body);
}

function latencyTable(rows: Row[], rate: number): string {
  const d = direct(rows);
  const body = rows.map((r) => [r.label, ms(pick(r.load.latency, 'p50'), 0), ms(pick(r.load.latency, 'p90'), 0), ms(pick(r.load.latency, 'p99'), 0),
    plus(pick(r.load.latency, 'p50'), pick(d?.load.latency, 'p50'), 0), ms(pick(r.load.ttfb, 'p50'), 0), ms(pick(r.load.ttfb, 'p90'), 0), ms(pick(r.load.ttfb, 'p99'), 0),
    plus(pick(r.load.ttfb, 'p50'), pick(d?.load.ttfb, 'p50'), 0), ms(pick(r.load.ttlb, 'p50'), 0), int(r.cpuPercent), mb(r.peakRssMB), int(r.load.errors), ms(r.load.sendLagP99Ms, 0)]);
  return `### latency: open loop, ${rate} req/s of unary requests, then ${rate} streams/s\n\n` +
    table(['target', 'p50 ms', 'p90 ms', 'p99 ms', '+p50 vs direct', 'TTFB p50 ms', 'TTFB p90 ms', 'TTFB p99 ms', '+TTFB p50 vs direct', 'TTLB p50 ms', 'CPU %', 'peak RSS MB', 'errors', 'generator lag p99 ms'], body);
}

function soakTable(rows: SoakRow[], rate: number): string {
  const body = rows.map((r) => [r.label, int(r.load.ok), int(r.load.errors),
    r.rssMB ? `${mb(r.rssMB.first)} → ${mb(r.rssMB.last)}` : na, mb(r.rssMB?.min), mb(r.rssMB?.max), r.rssMB ? r.rssMB.driftPercent.toFixed(1) : na,
    r.fds ? `${r.fds.first} → ${r.fds.last} (max ${r.fds.max})` : na,
    `${mb(r.rssMB?.idleBefore)} → ${mb(r.rssMB?.idleAfter)}`, `${r.fds?.idleBefore ?? na} → ${r.fds?.idleAfter ?? na}`]);
  return `### soak: open loop, ${rate} req/s (half streams), RSS and fds sampled every second after warm-up; idle values 6 s before and after the load\n\n` +
    table(['target', 'requests', 'errors', 'RSS MB first → last', 'RSS min', 'RSS max', 'drift %', 'open fds first → last', 'idle RSS MB before → after', 'idle fds before → after'], body);
}

function slowTable(rows: SlowRow[], opts: BenchOptions): string {
  const body = rows.map((r) => [r.label, r.variant, int(r.streams), int(r.load.peakOpen), int(r.load.ok), int(r.load.errors),
    ms(pick(r.load.chunkLatency, 'p50'), 0), ms(pick(r.load.chunkLatency, 'p99'), 0), mb(r.idleRssMB), mb(r.peakRssMB),
    r.rssPerStreamKB === undefined ? na : r.rssPerStreamKB.toFixed(1), r.plateauS === undefined ? na : r.plateauS.toFixed(1),
    r.eld ? `${r.eld.p99.toFixed(1)} / ${r.eld.max.toFixed(0)}${r.eldWindow === 'run' ? ' (run)' : ''}` : na, int(r.cpuPercent)]);
  return `### slow: streams held open, ${opts.slowGapMs} ms between stamped chunks, opened over up to ${opts.rampS} s; slow readers read a few KB every 100 ms\n\n` +
    'Per-chunk latency: the client\'s receive time − the mock\'s send stamp (CLOCK_MONOTONIC, µs). RSS per stream: (median RSS while every stream was open − idle RSS after a full GC, before the warm-up) / streams. ' +
    'Event-loop delay: a 10 ms timer probe in the target, over the plateau ("(run)": the whole run, the plateau was under a second).\n\n' +
    table(['target', 'variant', 'streams', 'open at once', 'ok', 'errors', 'chunk p50 ms', 'chunk p99 ms', 'idle RSS MB', 'peak RSS MB', 'KB per stream', 'plateau s', 'ELD p99 / max ms', 'CPU %'], body);
}

function filterCostTable(s: ScenarioRows): string | undefined {
  const costs = filterCosts(s);
  if (!costs.length) return undefined;
  const us = (v: number | undefined) => (v === undefined ? na : `${v >= 0 ? '+' : ''}${v.toFixed(0)}`);
  const base = (rows: Row[] | undefined) => {
    const r = rows?.find((x) => x.target === 'dgp');
    return r?.perCpuSecond ? (1e6 / r.perCpuSecond).toFixed(0) : na;
  };
  const singles = costs.filter((c) => !c.target.endsWith('-redis') && c.target !== 'dgp-gov');
  const sum = (k: 'unaryUs' | 'sseUs') => (singles.length && singles.every((c) => c[k] !== undefined) ? singles.reduce((a, c) => a + c[k]!, 0) : undefined);
  const rows = [['dgp (default chain), absolute', base(s.unary), base(s.sse)], ...costs.map((c) => [`+ ${c.filter}`, us(c.unaryUs), us(c.sseUs)]), ['sum of the single memory-store filters above', us(sum('unaryUs')), us(sum('sseUs'))]];
  return '### Marginal cost per filter: target CPU µs per request − dgp\'s (same run; 1e6 / requests per CPU-second)\n\n' + table(['filter added to dgp', 'unary µs/request', 'sse µs/stream'], rows);
}

function errorLines(s: ScenarioRows): string[] {
  const out: string[] = [];
  for (const [name, rows] of Object.entries(s) as Array<[string, Array<Row | SoakRow | SlowRow>]>) {
    for (const r of rows) if (r.load.errorSamples.length) out.push(`- ${name} / ${r.target}: ${r.load.errorSamples.slice(0, 5).join('; ')}`);
  }
  return out;
}

export function renderReport(p: { when: string; machine: Machine; opts: BenchOptions; skipped: SkippedTarget[]; notes: string[]; scenarios: ScenarioRows; ratios: Ratio[]; jsonPath: string }): string {
  const { opts, scenarios: s } = p;
  const parts = [
    `## dgp-gateway benchmark, ${p.when}`,
    `Machine: ${machineLine(p.machine)}.\n\n` +
      `Mock upstream: ~1.1 KB JSON or 20 SSE chunks + a usage chunk, latency ${opts.latencyMs} ms, chunk gap ${opts.chunkGapMs} ms. ` +
      `Load generator, mock and targets are separate processes on the same machine, over 127.0.0.1.` +
      `${opts.pin ? ' Pinned: every target on CPU 1, the load generator and the mock on CPU 0.' : ''}` +
      `${opts.rounds > 1 ? ` Each row is the median of ${opts.rounds} interleaved rounds.` : ''}\n\n` +
      '> **Absolute numbers are machine-specific** (every process here shares the same cores); the ratios between targets measured in the same run are the result.',
  ];
  if (p.skipped.length) parts.push(p.skipped.map((x) => `- ${x.name}: skipped: ${x.reason}`).join('\n'));
  if (p.notes.length) parts.push(p.notes.map((n) => `- ${n}`).join('\n'));
  if (s.unary) parts.push(unaryTable(s.unary, opts.connections));
  if (s.sse) parts.push(sseTable(s.sse, opts.connections));
  if (s.latency) parts.push(latencyTable(s.latency, opts.rate));
  if (s.soak?.length) parts.push(soakTable(s.soak, opts.soakRate));
  if (s.slow?.length) parts.push(slowTable(s.slow, opts));
  const costs = filterCostTable(s);
  if (costs) parts.push(costs);
  const errors = errorLines(s);
  if (errors.length) parts.push(`Errors seen:\n\n${errors.join('\n')}`);
  parts.push(
    '### Targets (ratios in this run)\n\n' +
      table(['target', 'measured', 'goal', 'status'], p.ratios.map((r) => [r.what, r.value, r.goal, `${r.status === 'NOT met' ? '**NOT met**' : r.status}${r.note ? ` (${r.note})` : ''}`])),
  );
  parts.push(`Results JSON: ${p.jsonPath}`);
  return `${parts.join('\n\n')}\n`;
}
