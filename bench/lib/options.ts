// Command-line options of `npm run bench -- ...`: every option has a default; a wrong value is a usage error that
// names the option and what it takes.
import { parseArgs } from 'node:util';
import { SCENARIOS, TARGET_NAMES, type ScenarioName, type TargetName } from './types.js';

export interface BenchOptions {
  scenarios: ScenarioName[];
  /** Measured seconds per target and scenario; undefined: 10 (soak: 60). */
  durationS: number | undefined;
  warmupS: number;
  /** Each scenario runs every target this many times, interleaved; the row kept is the median one. */
  rounds: number;
  connections: number;
  rate: number;
  soakRate: number;
  latencyMs: number;
  chunkGapMs: number;
  /** The slow scenario: streams held at once, slow readers (0: none), gap between chunks, ramp seconds. */
  streams: number;
  slowReaders: number;
  slowGapMs: number;
  rampS: number;
  targets: TargetName[];
  workers: number;
  cpuProf: boolean;
  /** Targets on CPU 1, this runner, the load generator, the mock (and any redis-server) on CPU 0. */
  pin: boolean;
  out: string | undefined;
  /** Another built checkout (its dist/core/cli.js) run as the dgp-base target: before/after in one run. */
  base: string | undefined;
}

export const USAGE = `usage: npm run bench -- [options]

  --scenario <list>     unary, sse, latency, soak, slow or all, comma-separated  (default: all)
  --duration <s>        measured seconds per target and scenario     (default: 10; soak 60; slow: 12 s per stream)
  --warmup <s>          unmeasured seconds of the same load before each run       (default: 2)
  --rounds <n>          rounds of every target, interleaved; the median is kept   (default: 1)
  --connections <n>     connections of the closed-loop unary and sse scenarios    (default: 32)
  --rate <n>            requests/s of the open-loop latency scenario              (default: 200)
  --soak-rate <n>       requests/s of the soak (half of them streams)             (default: 200)
  --latency <ms>        fixed mock upstream latency before answering              (default: 0)
  --chunk-gap <ms>      pause between the mock's SSE chunks                       (default: 0)
  --streams <n>         slow: streams held at once through bare and dgp          (default: 2000)
  --slow-readers <n>    slow: streams whose client reads ~1/12 of it a second    (default: 1000; 0: skip)
  --slow-gap <ms>       slow: pause between the stamped chunks                   (default: 200)
  --ramp <s>            slow: seconds over which the streams are opened          (default: 8)
  --targets <list>      ${TARGET_NAMES.join(', ')}           (default: all; direct is always run)
  --base <dir>          a built checkout of another commit, run as the dgp-base target (before/after in one run)
  --workers <n>         processes of the dgp-workers target                       (default: 2)
  --cpu-prof            run dgp under node --cpu-prof; prints where the .cpuprofile went
  --pin                 every target on CPU 1, the load generator and the mock on CPU 0 (taskset):
                        steadier ratios on a 2-core machine; --workers cannot scale then
  --out <file>          results JSON                        (default: bench/results/<ISO date>.json)
  -h, --help            this text`;

export class UsageError extends Error {}

function num(name: string, raw: string, min: number): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min) throw new UsageError(`--${name} takes a number >= ${min}, got "${raw}"`);
  return v;
}

function list<T extends string>(name: string, raw: string, allowed: readonly T[]): T[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 1 && items[0] === 'all') return [...allowed];
  for (const i of items) if (!allowed.includes(i as T)) throw new UsageError(`--${name}: unknown "${i}"; use ${allowed.join(', ')} or all`);
  if (!items.length) throw new UsageError(`--${name} needs at least one of ${allowed.join(', ')}`);
  return items as T[];
}

/** Parses argv; returns undefined for --help. Throws UsageError on a bad option. */
export function parseOptions(argv: string[]): BenchOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string', default: 'all' },
        duration: { type: 'string' },
        warmup: { type: 'string', default: '2' },
        rounds: { type: 'string', default: '1' },
        connections: { type: 'string', default: '32' },
        rate: { type: 'string', default: '200' },
        'soak-rate': { type: 'string', default: '200' },
        latency: { type: 'string', default: '0' },
        'chunk-gap': { type: 'string', default: '0' },
        streams: { type: 'string', default: '2000' },
        'slow-readers': { type: 'string', default: '1000' },
        'slow-gap': { type: 'string', default: '200' },
        ramp: { type: 'string', default: '8' },
        targets: { type: 'string', default: 'all' },
        workers: { type: 'string', default: '2' },
        'cpu-prof': { type: 'boolean', default: false },
        pin: { type: 'boolean', default: false },
        out: { type: 'string' },
        base: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return undefined;
  const targets = list('targets', values.targets, TARGET_NAMES);
  return {
    scenarios: list('scenario', values.scenario, SCENARIOS),
    durationS: values.duration === undefined ? undefined : num('duration', values.duration, 1),
    warmupS: num('warmup', values.warmup, 0),
    rounds: Math.round(num('rounds', values.rounds, 1)),
    connections: Math.round(num('connections', values.connections, 1)),
    rate: num('rate', values.rate, 1),
    soakRate: num('soak-rate', values['soak-rate'], 1),
    latencyMs: num('latency', values.latency, 0),
    chunkGapMs: num('chunk-gap', values['chunk-gap'], 0),
    streams: Math.round(num('streams', values.streams, 1)),
    slowReaders: Math.round(num('slow-readers', values['slow-readers'], 0)),
    slowGapMs: num('slow-gap', values['slow-gap'], 1),
    rampS: num('ramp', values.ramp, 0),
    // "direct" is the ceiling every added latency is measured against.
    targets: targets.includes('direct') ? targets : ['direct', ...targets],
    workers: Math.round(num('workers', values.workers, 1)),
    cpuProf: values['cpu-prof'],
    pin: values.pin,
    out: values.out,
    base: values.base,
  };
}
