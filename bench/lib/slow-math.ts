// The pure arithmetic of the slow-stream scenario, kept apart so it can be unit-tested: send-time stamps found in a
// stream however its bytes were split, RSS per open stream over the plateau, event-loop delay over a window, and the
// scenario's sizing from the command line.
import { percentiles, type Percentiles } from './stats.js';

/** Microseconds on CLOCK_MONOTONIC: the same clock in every process of the machine (Linux), so stamps compare. */
export const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** The mark the mock puts in a chunk's content: `@<µs of CLOCK_MONOTONIC when written>@`. */
export const stampText = (us: number): string => `@${us}@`;

const STAMP = /@(\d{1,20})@/g;
/** Longer than any stamp: what is kept between calls so a stamp split across reads is still found once. */
const CARRY = 24;

/** Finds the send stamps in a stream fed chunk by chunk, each exactly once whatever the split. */
export class StampScanner {
  private carry = '';

  push(chunk: Buffer | string): number[] {
    const s = this.carry + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    const out: number[] = [];
    let end = 0;
    STAMP.lastIndex = 0;
    for (let m = STAMP.exec(s); m; m = STAMP.exec(s)) {
      out.push(Number(m[1]));
      end = m.index + m[0].length;
    }
    // Nothing before the end of the last stamp can start another one.
    this.carry = s.slice(Math.max(end, s.length - CARRY));
    return out;
  }
}

export interface RssSample {
  /** Seconds on the harness's clock. */
  t: number;
  rssBytes: number | undefined;
}

/**
 * Memory held per open stream: the median RSS sampled while every stream was open (`from` ≤ t ≤ `to`) minus the
 * idle RSS before the load, divided by the number of streams, in KB. Undefined when no sample falls in the window.
 */
export function rssPerStreamKB(samples: RssSample[], idleBytes: number | undefined, from: number | undefined, to: number | undefined, streams: number): number | undefined {
  if (idleBytes === undefined || from === undefined || to === undefined || to < from || streams <= 0) return undefined;
  const inWindow = samples.filter((s) => s.t >= from && s.t <= to && s.rssBytes !== undefined).map((s) => s.rssBytes!);
  if (!inWindow.length) return undefined;
  const sorted = inWindow.sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return (median - idleBytes) / streams / 1024;
}

/** One line of bench/targets/eld-probe.mjs's file: when it was written (ms, CLOCK_MONOTONIC) and the delays seen (ms). */
export interface EldLine {
  t: number;
  d: number[];
}

/** Event-loop delay percentiles from the probe's lines written between `fromMs` and `toMs` (inclusive, monotonic ms). */
export function eldPercentiles(text: string, fromMs: number, toMs: number): Percentiles | undefined {
  const delays: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let l: EldLine;
    try {
      l = JSON.parse(line) as EldLine;
    } catch {
      continue; // a line being written while read
    }
    if (l.t >= fromMs && l.t <= toMs && Array.isArray(l.d)) delays.push(...l.d);
  }
  return percentiles(delays);
}

export interface SlowShape {
  /** Seconds each stream is held open (normal streams: chunks × gap; slow readers: the time to read it all). */
  holdS: number;
  rampS: number;
  chunks: number;
}

/**
 * The normal variant's shape: `durationS` (default 12) is how long a stream is held, so chunks = hold / gap; the ramp
 * is at most two thirds of the hold, so every stream is open at once for a while (the plateau).
 */
export function slowShape(durationS: number | undefined, gapMs: number, rampS: number): SlowShape {
  const holdS = durationS ?? 12;
  const chunks = Math.max(2, Math.round((holdS * 1000) / gapMs));
  return { holdS: (chunks * gapMs) / 1000, rampS: Math.min(rampS, (holdS * 2) / 3), chunks };
}

/** Slow readers: bytes to read per 100 ms tick so that a stream of `totalBytes` takes about `holdS` to read. */
export function readPerTick(totalBytes: number, holdS: number): number {
  return Math.max(256, Math.ceil(totalBytes / (holdS * 10)));
}
