// The Markdown report printed on stdout: the machine, one table per scenario, skipped targets with reasons, error
// samples, and the targets as ratios marked met / NOT met.
import { machineLine, type Machine } from './machine.js';
import type { BenchOptions } from './options.js';
import type { Ratio, ScenarioRows } from './ratios.js';
import type { Percentiles } from './stats.js';
import type { Row, SkippedTarget, SoakRow } from './types.js';

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

function errorLines(s: ScenarioRows): string[] {
  const out: string[] = [];
  for (const [name, rows] of Object.entries(s) as Array<[string, Array<Row | SoakRow>]>) {
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
      `${opts.rounds > 1 ? ` Each row is the median of ${opts.rounds} interleaved rounds.` : ''}\n\n` +
      '> **Absolute numbers are machine-specific** (every process here shares the same cores); the ratios between targets measured in the same run are the result.',
  ];
  if (p.skipped.length) parts.push(p.skipped.map((x) => `- ${x.name}: skipped: ${x.reason}`).join('\n'));
  if (p.notes.length) parts.push(p.notes.map((n) => `- ${n}`).join('\n'));
  if (s.unary) parts.push(unaryTable(s.unary, opts.connections));
  if (s.sse) parts.push(sseTable(s.sse, opts.connections));
  if (s.latency) parts.push(latencyTable(s.latency, opts.rate));
  if (s.soak?.length) parts.push(soakTable(s.soak, opts.soakRate));
  const errors = errorLines(s);
  if (errors.length) parts.push(`Errors seen:\n\n${errors.join('\n')}`);
  parts.push(
    '### Targets (ratios in this run)\n\n' +
      table(['target', 'measured', 'goal', 'status'], p.ratios.map((r) => [r.what, r.value, r.goal, `${r.status === 'NOT met' ? '**NOT met**' : r.status}${r.note ? ` (${r.note})` : ''}`])),
  );
  parts.push(`Results JSON: ${p.jsonPath}`);
  return `${parts.join('\n\n')}\n`;
}
