// The targets of issues 3, 8, 13, 14, 16 and 18, computed as ratios of targets measured in the same run, each marked
// met / NOT met / reported (or why it could not be measured), and the per-filter CPU cost table.
import type { BenchOptions } from './options.js';
import type { Row, SlowRow, SoakRow, TargetName } from './types.js';

export type Status = 'met' | 'NOT met' | 'not measured' | 'reported';

export interface Ratio {
  what: string;
  value: string;
  goal: string;
  status: Status;
  note?: string;
}

export interface ScenarioRows {
  unary?: Row[];
  sse?: Row[];
  latency?: Row[];
  soak?: SoakRow[];
  slow?: SlowRow[];
}

const find = (rows: Row[] | undefined, name: TargetName) => rows?.find((r) => r.target === name);

function ratio(what: string, goal: number, a: number | undefined, b: number | undefined, missing: string, note?: string): Ratio {
  if (a === undefined || b === undefined || b === 0) return { what, value: '—', goal: `≥ ${goal}`, status: 'not measured', note: missing };
  const v = a / b;
  return { what, value: `${v.toFixed(2)}×`, goal: `≥ ${goal}`, status: v >= goal ? 'met' : 'NOT met', ...(note ? { note } : {}) };
}

/**
 * Two targets' rates in one scenario: the ratio of their median rows, and in the note the range and median of the
 * ratios round by round (each round measures them minutes apart at most), so a verdict near its goal shows its noise.
 */
function rpsRatio(what: string, goal: number, rows: Row[] | undefined, a: TargetName, b: TargetName, missing: string, note?: string): Ratio {
  const ra = find(rows, a);
  const rb = find(rows, b);
  const spread = roundSpread(ra, rb);
  return ratio(what, goal, ra?.load.rps, rb?.load.rps, missing, [note, spread].filter((x) => x !== undefined).join('; ') || undefined);
}

/** "rounds 0.86–1.02×, median 0.93×" for two rows measured in the same rounds; undefined for fewer than two. */
export function roundSpread(a: Row | undefined, b: Row | undefined): string | undefined {
  const x = a?.roundRps;
  const y = b?.roundRps;
  if (x === undefined || y === undefined || x.length < 2 || x.length !== y.length) return undefined;
  const r = x.map((v, i) => v / y[i]!).sort((p, q) => p - q);
  return `rounds ${r[0]!.toFixed(2)}–${r[r.length - 1]!.toFixed(2)}×, median ${r[Math.floor((r.length - 1) / 2)]!.toFixed(2)}×`;
}

function added(what: string, target: number | undefined, direct: number | undefined, missing: string): Ratio {
  if (target === undefined || direct === undefined) return { what, value: '—', goal: '≤ 1 ms', status: 'not measured', note: missing };
  const d = target - direct;
  return { what, value: `${d.toFixed(3)} ms`, goal: '≤ 1 ms', status: d <= 1 ? 'met' : 'NOT met' };
}

export function computeRatios(s: ScenarioRows, opts: BenchOptions): Ratio[] {
  const at32 = opts.connections === 32 ? undefined : `measured at ${opts.connections} connections; the target is stated at 32`;
  const unaryMissing = s.unary ? 'a target is missing from the unary scenario' : 'run the unary scenario';
  const out: Ratio[] = [
    rpsRatio('dgp / bare undici req/s, unary', 0.8, s.unary, 'dgp', 'bare', unaryMissing, at32),
    rpsRatio('dgp / bare undici streams/s, sse', 0.8, s.sse, 'dgp', 'bare', s.sse ? 'a target is missing from the sse scenario' : 'run the sse scenario', at32),
    rpsRatio('dgp / Portkey req/s, unary', 5, s.unary, 'dgp', 'portkey', s.unary ? 'Portkey was skipped or not in --targets' : 'run the unary scenario'),
  ];
  out.push(
    rpsRatio('dgp + memory limiter / dgp req/s, unary', 0.95, s.unary, 'dgp-limiter', 'dgp', s.unary ? 'dgp-limiter or dgp was skipped or not in --targets' : 'run the unary scenario'),
  );
  // Issue 16: tracing costs at most 2% at 0% sampling and 10% at 100% (same run); the audit file sink is reported.
  for (const [target, goal, what] of [['dgp-trace0', 0.98, 'tracing at 0%'], ['dgp-trace100', 0.9, 'tracing at 100%'], ['dgp-audit', 0, 'audit (file sink)']] as const) {
    const r = rpsRatio(`dgp + ${what} / dgp req/s, unary`, goal, s.unary, target, 'dgp', s.unary ? `${target} or dgp was skipped or not in --targets` : 'run the unary scenario');
    out.push(goal === 0 && r.status !== 'not measured' ? { ...r, status: 'reported', goal: '(no target)' } : r);
  }
  const cacheMissing = s.unary ? 'dgp-cache, dgp-cache-miss, bare or dgp was skipped or not in --targets' : 'run the unary scenario';
  out.push(
    rpsRatio('dgp cache hit / bare undici req/s, unary', 3, s.unary, 'dgp-cache', 'bare', cacheMissing),
    rpsRatio('dgp cache miss / dgp req/s, unary', 0.95, s.unary, 'dgp-cache-miss', 'dgp', cacheMissing),
  );
  const latMissing = s.latency ? 'a target is missing from the latency scenario' : 'run the latency scenario';
  const dl = find(s.latency, 'dgp')?.load;
  const xl = find(s.latency, 'direct')?.load;
  out.push(added(`added p50 vs direct, unary at ${opts.rate} req/s`, dl?.latency?.p50, xl?.latency?.p50, latMissing));
  out.push(added(`added TTFT (first byte) p50 vs direct, streams at ${opts.rate} req/s`, dl?.ttfb?.p50, xl?.ttfb?.p50, latMissing));
  if (opts.rate !== 200) for (const r of out.slice(-2)) r.note = `measured at ${opts.rate} req/s; the target is stated at 200`;
  const perCpu = (r: Row | undefined) => r?.perCpuSecond;
  const eff = ratio('dgp / bare undici req per CPU-second, unary', 0.8, perCpu(find(s.unary, 'dgp')), perCpu(find(s.unary, 'bare')), unaryMissing);
  out.push({ ...eff, status: eff.status === 'not measured' ? eff.status : 'reported', goal: '(efficiency; no target)' });
  out.push(...keysRatios(s, opts));
  out.push(...slowRatios(s, opts));
  out.push(...govRatios(s));
  out.push(...guardrailsRatios(s, opts));
  out.push(...baseRatios(s));
  const w = find(s.unary, 'dgp-workers')?.load.rps;
  const one = find(s.unary, 'dgp')?.load.rps;
  out.push(
    w !== undefined && one
      ? { what: 'dgp --workers / dgp req/s, unary', value: `${(w / one).toFixed(2)}×`, goal: 'scales where cores are free', status: 'reported' }
      : { what: 'dgp --workers / dgp req/s, unary', value: '—', goal: 'scales where cores are free', status: 'not measured', note: 'skipped: --workers not implemented yet, or not run' },
  );
  for (const row of s.soak ?? []) {
    const v = soakVerdict(row);
    out.push({ what: `${row.target}: RSS flat ±10% over the soak, no fd growth`, value: v?.why ?? 'n/a (no /proc)', goal: '±10%, idle fds ≤ +2', status: v ? (v.met ? 'met' : 'NOT met') : 'not measured' });
  }
  if (!s.soak?.length) out.push({ what: 'dgp: RSS flat ±10% over the soak, no fd growth', value: '—', goal: '±10%, idle fds ≤ +2', status: 'not measured', note: 'run the soak scenario' });
  return out;
}

/**
 * Issue 13's targets: the keys filter with budgets in memory costs at most 5% of the default chain's requests/s, and
 * with the counters in Redis adds at most 0.5 ms to p50 at the latency scenario's rate (both against dgp, same run).
 */
function keysRatios(s: ScenarioRows, opts: BenchOptions): Ratio[] {
  const missing = (scenario: string, target: string) => (s[scenario as keyof ScenarioRows] ? `${target} or dgp is missing from the ${scenario} scenario` : `run the ${scenario} scenario`);
  const r = rpsRatio('dgp + keys (memory) / dgp req/s, unary', 0.95, s.unary, 'dgp-keys', 'dgp', missing('unary', 'dgp-keys'));
  const out: Ratio[] = [{ ...r, goal: '≥ 0.95 (≤ 5% cost)' }];
  const kl = find(s.latency, 'dgp-keys-redis')?.load.latency?.p50;
  const dl = find(s.latency, 'dgp')?.load.latency?.p50;
  const what = `dgp + keys (Redis) added p50 vs dgp, unary at ${opts.rate} req/s`;
  if (kl === undefined || dl === undefined) out.push({ what, value: '—', goal: '≤ 0.5 ms', status: 'not measured', note: missing('latency', 'dgp-keys-redis') });
  else out.push({ what, value: `${(kl - dl).toFixed(3)} ms`, goal: '≤ 0.5 ms', status: kl - dl <= 0.5 ? 'met' : 'NOT met', ...(opts.rate === 200 ? {} : { note: `measured at ${opts.rate} req/s; the target is stated at 200` }) });
  return out;
}

/**
 * Issue 16's targets: guardrails with the PII pack on input and output cost at most 15% of the default chain's
 * requests/s, and the stream hold-back adds at most 1 ms to time to first token at p50 (both against dgp, same run).
 */
/**
 * Before/after in one run (issue 12: no regression of the dgp / bare ratio): this build's dgp against another build's
 * (--base, the dgp-base target), both over the same bare proxy, unary and streams.
 */
function baseRatios(s: ScenarioRows): Ratio[] {
  const out: Ratio[] = [];
  for (const kind of ['unary', 'sse'] as const) {
    const rows = s[kind];
    const baseRow = find(rows, 'dgp-base');
    const dgpRow = find(rows, 'dgp');
    const base = baseRow?.load.rps;
    const dgp = dgpRow?.load.rps;
    const bare = find(rows, 'bare')?.load.rps;
    if (base === undefined || dgp === undefined || bare === undefined || bare === 0 || base === 0) continue;
    const spread = roundSpread(dgpRow, baseRow);
    out.push({
      what: `dgp / bare, this build against --base, ${kind}`,
      value: `${(dgp / bare).toFixed(2)}× vs ${(base / bare).toFixed(2)}× (${((dgp / base - 1) * 100).toFixed(1)}%)`,
      goal: 'no regression',
      status: 'reported',
      ...(spread === undefined ? {} : { note: `this build / --base ${spread}` }),
    });
  }
  return out;
}

function guardrailsRatios(s: ScenarioRows, opts: BenchOptions): Ratio[] {
  const missing = (scenario: string) => (s[scenario as keyof ScenarioRows] ? `dgp-guardrails or dgp is missing from the ${scenario} scenario` : `run the ${scenario} scenario`);
  const r = rpsRatio('dgp + guardrails (PII in and out) / dgp req/s, unary', 0.85, s.unary, 'dgp-guardrails', 'dgp', missing('unary'));
  const out: Ratio[] = [{ ...r, goal: '≥ 0.85 (≤ 15% cost)' }];
  const gt = find(s.latency, 'dgp-guardrails')?.load.ttfb?.p50;
  const dt = find(s.latency, 'dgp')?.load.ttfb?.p50;
  const what = `dgp + guardrails added TTFT p50 vs dgp, streams at ${opts.rate} req/s`;
  if (gt === undefined || dt === undefined) out.push({ what, value: '—', goal: '≤ 1 ms', status: 'not measured', note: missing('latency') });
  else out.push({ what, value: `${(gt - dt).toFixed(3)} ms`, goal: '≤ 1 ms', status: gt - dt <= 1 ? 'met' : 'NOT met' });
  return out;
}

/**
 * The memory target: under load every RSS sample stays within ±10% of the first ones; and idle, with the client and
 * upstream sockets closed, the gateway holds no more fds after the run than before it (+2 for a stray socket).
 */
export function soakVerdict(row: SoakRow): { met: boolean; why: string } | undefined {
  if (!row.rssMB || !row.fds) return undefined;
  const { min, max, first, driftPercent } = row.rssMB;
  const band = Math.max(max / first - 1, 1 - min / first) * 100;
  const { idleBefore, idleAfter } = row.fds;
  const fdsOk = idleBefore !== undefined && idleAfter !== undefined ? idleAfter <= idleBefore + 2 : row.fds.last <= row.fds.first + 2;
  const fdText = idleBefore !== undefined && idleAfter !== undefined ? `idle fds ${idleBefore} → ${idleAfter}` : `fds ${row.fds.first} → ${row.fds.last}`;
  return { met: band <= 10 && fdsOk, why: `RSS within ±${band.toFixed(1)}% of the start (drift ${driftPercent.toFixed(1)}%), ${fdText}` };
}

function atMost(what: string, goal: string, value: number | undefined, limit: number, unit: string, missing: string, digits = 2): Ratio {
  if (value === undefined || !Number.isFinite(value)) return { what, value: '—', goal, status: 'not measured', note: missing };
  return { what, value: `${value.toFixed(digits)}${unit}`, goal, status: value <= limit ? 'met' : 'NOT met' };
}

/**
 * Issue 18, target 3: through dgp, 2,000 slow streams add at most 5 ms to the p99 per-chunk latency of the bare proxy,
 * hold at most 1.25× its memory per open stream, keep the event loop's p99 delay at 20 ms or less, with no errors; and
 * slow readers (backpressure) hold no more memory per stream than 1.25× the bare proxy's.
 */
function slowRatios(s: ScenarioRows, opts: BenchOptions): Ratio[] {
  const row = (t: TargetName, v: SlowRow['variant']) => s.slow?.find((r) => r.target === t && r.variant === v);
  const missing = s.slow ? 'bare or dgp is missing from the slow scenario' : 'run the slow scenario';
  const d = row('dgp', 'stream');
  const b = row('bare', 'stream');
  const n = d?.streams ?? opts.streams;
  const at = n === 2000 ? undefined : `${n} streams; the target is stated at 2,000`;
  const note = (r: Ratio) => (at && r.status !== 'not measured' ? { ...r, note: at } : r);
  const dp = d?.load.chunkLatency?.p99;
  const bp = b?.load.chunkLatency?.p99;
  const rssRatio = (v: SlowRow['variant']) => {
    const x = row('dgp', v)?.rssPerStreamKB;
    const y = row('bare', v)?.rssPerStreamKB;
    return x !== undefined && y !== undefined && y > 0 ? x / y : undefined;
  };
  const plateau = (v: SlowRow['variant']) => {
    const noPlateau = [row('dgp', v), row('bare', v)].some((r) => r && r.plateauS === undefined);
    return noPlateau ? 'no plateau: the first stream ended before the last opened (lengthen --duration or shorten --ramp)' : missing;
  };
  const out = [
    note(atMost(`slow streams: dgp − bare p99 per-chunk latency`, '≤ 5 ms', dp !== undefined && bp !== undefined ? dp - bp : undefined, 5, ' ms', missing)),
    note(atMost('slow streams: dgp / bare RSS per open stream', '≤ 1.25×', rssRatio('stream'), 1.25, '×', plateau('stream'))),
    note(atMost('slow streams: dgp event-loop delay p99', '≤ 20 ms', d?.eld?.p99, 20, ' ms', missing)),
  ];
  const errs = s.slow?.filter((r) => r.target === 'dgp').reduce((a, r) => a + r.load.errors, 0);
  out.push(errs === undefined || !s.slow?.some((r) => r.target === 'dgp') ? { what: 'slow streams and slow readers: dgp errors', value: '—', goal: '0', status: 'not measured', note: missing } : { what: 'slow streams and slow readers: dgp errors', value: String(errs), goal: '0', status: errs === 0 ? 'met' : 'NOT met' });
  const readers = row('dgp', 'slow-reader');
  out.push(atMost('slow readers: dgp / bare RSS per open stream (memory bounded)', '≤ 1.25×', rssRatio('slow-reader'), 1.25, '×', !s.slow ? missing : readers ? plateau('slow-reader') : 'no slow-reader rows (--slow-readers 0?)'));
  return out;
}

const cpuUs = (r: Row | undefined) => (r?.perCpuSecond ? 1e6 / r.perCpuSecond : undefined);

/**
 * Issue 18, targets 4 and 5: the governance chain at ≥ 0.7× the bare proxy for unary and streams; nginx against the
 * bare proxy (how far the Node floor is from the native one), reported.
 */
function govRatios(s: ScenarioRows): Ratio[] {
  const out = [
    rpsRatio('dgp-gov / bare undici req/s, unary', 0.7, s.unary, 'dgp-gov', 'bare', s.unary ? 'dgp-gov or bare is missing from the unary scenario' : 'run the unary scenario'),
    rpsRatio('dgp-gov / bare undici streams/s, sse', 0.7, s.sse, 'dgp-gov', 'bare', s.sse ? 'dgp-gov or bare is missing from the sse scenario' : 'run the sse scenario'),
  ];
  const lr = find(s.latency, 'dgp-limiter-redis')?.load.latency?.p50;
  const dl = find(s.latency, 'dgp')?.load.latency?.p50;
  out.push(lr === undefined || dl === undefined
    ? { what: 'dgp + rate limits (Redis) added p50 vs dgp, unary', value: '—', goal: '(reported)', status: 'not measured', note: s.latency ? 'dgp-limiter-redis or dgp is missing from the latency scenario' : 'run the latency scenario' }
    : { what: 'dgp + rate limits (Redis) added p50 vs dgp, unary', value: `${(lr - dl).toFixed(3)} ms`, goal: '(reported)', status: 'reported' });
  for (const [kind, rows] of [['unary', s.unary], ['sse', s.sse]] as const) {
    const r = rpsRatio(`nginx / bare undici ${kind === 'unary' ? 'req/s, unary' : 'streams/s, sse'}`, 0, rows, 'nginx', 'bare', rows ? 'nginx or bare is missing (apt-get install nginx-light)' : `run the ${kind} scenario`);
    out.push(r.status === 'not measured' ? { ...r, goal: '(native anchor)' } : { ...r, status: 'reported', goal: '(native anchor)' });
  }
  return out;
}

/** The filters measured one at a time on top of dgp, and the whole chain, for the marginal-cost table. */
export const FILTER_TARGETS: Array<[TargetName, string]> = [
  ['dgp-keys', 'keys (budget, memory store)'],
  ['dgp-limiter', 'rate limits (memory store)'],
  ['dgp-cache-miss', 'cache (miss path)'],
  ['dgp-guardrails', 'guardrails (PII in and out)'],
  ['dgp-audit', 'audit (file sink)'],
  ['dgp-trace0', 'tracing at 0%'],
  ['dgp-keys-redis', 'keys (budget, Redis counters)'],
  ['dgp-limiter-redis', 'rate limits (Redis)'],
  ['dgp-gov', 'whole governance chain (dgp-gov)'],
];

export interface FilterCost {
  target: TargetName;
  filter: string;
  /** Target CPU µs per request (or stream) − dgp's, in the same run. */
  unaryUs: number | undefined;
  sseUs: number | undefined;
}

/**
 * Issue 18, target 4: each filter's marginal CPU cost, µs per request = 1e6 / (requests per CPU-second) of the target
 * with that one filter added, minus the same of dgp, from the same run's unary and sse rows. The sum of the single
 * filters next to dgp-gov's shows whether they compose.
 */
export function filterCosts(s: ScenarioRows): FilterCost[] {
  const base = { unary: cpuUs(find(s.unary, 'dgp')), sse: cpuUs(find(s.sse, 'dgp')) };
  const diff = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b);
  return FILTER_TARGETS.filter(([t]) => find(s.unary, t) || find(s.sse, t)).map(([target, filter]) => ({
    target,
    filter,
    unaryUs: diff(cpuUs(find(s.unary, target)), base.unary),
    sseUs: diff(cpuUs(find(s.sse, target)), base.sse),
  }));
}
