// Percentiles of latency samples (milliseconds, kept raw: a run holds at most a few hundred thousand).

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles; undefined for no samples. Sorts the array in place. */
export function percentiles(samples: Float64Array | number[]): Percentiles | undefined {
  if (samples.length === 0) return undefined;
  const s = samples instanceof Float64Array ? samples.sort() : Float64Array.from(samples).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1]! };
}

/** A growable list of float samples without per-sample boxing. */
export class Samples {
  private buf = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  view(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
}

export const round = (v: number | undefined, digits = 2): number | undefined => (v === undefined || !Number.isFinite(v) ? undefined : Number(v.toFixed(digits)));
