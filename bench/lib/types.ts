// Shapes shared by the harness, its load generator and its report: targets, load jobs, results, rows.
import type { SlowJob } from '../load/slow-streams.js';
import type { Percentiles } from './stats.js';

export const TARGET_NAMES = ['direct', 'bare', 'dgp', 'dgp-keys', 'dgp-keys-redis', 'dgp-limiter', 'dgp-limiter-redis', 'dgp-guardrails', 'dgp-cache', 'dgp-cache-miss', 'dgp-audit', 'dgp-trace0', 'dgp-trace100', 'dgp-gov', 'dgp-workers', 'dgp-base', 'portkey', 'nginx'] as const;
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
  /** Where bench/targets/eld-probe.mjs writes the target's event-loop delays (bare and dgp, when the slow scenario runs). */
  eldFile?: string;
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
  | { kind: 'open'; req: RequestSpec; rate: number; streamShare: number; durationS: number; warmupS: number; maxInFlight: number }
  /** Slow streams held open (bench/load/slow-streams.ts); the warm-up is a short run of the same shape. */
  | ({ kind: 'slow'; req: RequestSpec; durationS: number; warmupS: number } & SlowJob);

export interface LoadResult {
  kind: LoadJob['kind'];
  /** Slow streams: receive time − the mock's send stamp of every chunk (ms), and the most streams open at once. */
  chunkLatency?: Percentiles;
  peakOpen?: number;
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
export type LoadMessage =
  | { type: 'measuring' }
  /** Slow streams: every stream is open (plateau), or the first one has ended (draining). */
  | { type: 'phase'; phase: 'plateau' | 'draining'; open: number }
  | { type: 'result'; result: LoadResult } | { type: 'error'; message: string };

export interface Row {
  target: TargetName;
  label: string;
  load: LoadResult;
  peakRssMB: number | undefined;
  /** Target's CPU use while measured: 100 = one core busy. */
  cpuPercent: number | undefined;
  /** Completed requests per CPU-second of the target: less sensitive to a busy machine than requests/s. */
  perCpuSecond: number | undefined;
  /** With --rounds > 1: the rate of every round, in round order (the row itself is the median round). */
  roundRps?: number[];
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

/** One target's run of the slow scenario (bench/scenarios/slow.ts). */
export interface SlowRow {
  target: TargetName;
  label: string;
  /** stream: chunks read as they come, latency per chunk; slow-reader: the client reads slower than the mock writes. */
  variant: 'stream' | 'slow-reader';
  streams: number;
  load: LoadResult;
  /** Idle RSS after a full GC, before the warm-up: the baseline of rssPerStreamKB. */
  idleRssMB: number | undefined;
  peakRssMB: number | undefined;
  /** (median RSS while every stream was open − idleRssMB) / streams. */
  rssPerStreamKB: number | undefined;
  /** How long every stream was open at once (s); undefined: the first stream ended before the last one opened. */
  plateauS: number | undefined;
  /** Event-loop delay seen by bench/targets/eld-probe.mjs over the plateau (or, if that was too short, the whole run). */
  eld: Percentiles | undefined;
  eldWindow: 'plateau' | 'run' | undefined;
  cpuPercent: number | undefined;
  fdsIdle: number | undefined;
}
