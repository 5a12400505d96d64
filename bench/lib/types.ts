// Shapes shared by the harness, its load generator and its report: targets, load jobs, results, rows.
import type { Percentiles } from './stats.js';

export const TARGET_NAMES = ['direct', 'bare', 'dgp', 'dgp-keys', 'dgp-keys-redis', 'dgp-limiter', 'dgp-limiter-redis', 'dgp-guardrails', 'dgp-cache', 'dgp-cache-miss', 'dgp-audit', 'dgp-trace0', 'dgp-trace100', 'dgp-gov', 'dgp-workers', 'portkey', 'nginx'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export const SCENARIOS = ['unary', 'sse', 'latency', 'soak', 'slow'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** How to call one target: the same POST /v1/chat/completions, plus whatever headers the target needs. */
export interface RequestSpec {
  origin: string;
  path: string;
  headers: Record<string, string>;
}

export interface Target {
  name: TargetName;
  label: string;
  request: RequestSpec;
  /** Root of the process tree whose memory and CPU are measured. */
  pid: number;
  notes: string[];
}

export interface SkippedTarget {
  name: TargetName;
  label: string;
  reason: string;
}

export type LoadJob =
  | { kind: 'unary'; req: RequestSpec; connections: number; durationS: number; warmupS: number }
  | { kind: 'sse'; req: RequestSpec; connections: number; durationS: number; warmupS: number }
  /** Open loop: requests start at a fixed rate whatever the answers do; `streamShare` of them are streams. */
  | { kind: 'open'; req: RequestSpec; rate: number; streamShare: number; durationS: number; warmupS: number; maxInFlight: number };

export interface LoadResult {
  kind: LoadJob['kind'];
  /** Completed requests (or streams) with the expected status and body. */
  ok: number;
  errors: number;
  errorSamples: string[];
  durationS: number;
  rps: number;
  /** Unary: full response time. Milliseconds. */
  latency?: Percentiles;
  /** Streams: time to the first body byte (the first token) and to the last. Milliseconds. */
  ttfb?: Percentiles;
  ttlb?: Percentiles;
  /** Smallest latency difference the generator can see (autocannon records whole milliseconds). */
  resolutionMs: number;
  /** Open loop: how late the generator started requests (p99, ms); large values mean the generator was starved. */
  sendLagP99Ms?: number;
}

/** Messages from the load generator to the harness. */
export type LoadMessage = { type: 'measuring' } | { type: 'result'; result: LoadResult } | { type: 'error'; message: string };

export interface Row {
  target: TargetName;
  label: string;
  load: LoadResult;
  peakRssMB: number | undefined;
  /** Target's CPU use while measured: 100 = one core busy. */
  cpuPercent: number | undefined;
  /** Completed requests per CPU-second of the target: less sensitive to a busy machine than requests/s. */
  perCpuSecond: number | undefined;
}

export interface SoakRow {
  target: TargetName;
  label: string;
  load: LoadResult;
  /** Under load; `idleBefore` / `idleAfter` are read with no load, before the warm-up and after the run has settled. */
  rssMB: { min: number; max: number; first: number; last: number; driftPercent: number; idleBefore?: number; idleAfter?: number } | undefined;
  fds: { first: number; last: number; max: number; idleBefore?: number; idleAfter?: number } | undefined;
  samples: Array<{ t: number; rssMB: number | undefined; fds: number | undefined }>;
}
