// Heap-based load shedding (Envoy's overload manager `stop_accepting_requests`): above the configured fraction of the
// V8 heap limit, new requests are refused before anything is read for them. The heap is read on the request path at
// most once per sample interval (no timer).
import { getHeapStatistics } from 'node:v8';

/** The used fraction of the heap limit, 0..1. */
export type HeapReader = () => number;

export const readV8Heap: HeapReader = () => {
  const s = getHeapStatistics();
  return s.used_heap_size / s.heap_size_limit;
};

export class HeapShedder {
  /** 0 = never shed. */
  fraction = 0;
  /** The last sample. */
  ratio = 0;
  private sampledAt = -Infinity;

  constructor(
    private readonly read: HeapReader = readV8Heap,
    private readonly sampleMs = 100,
  ) {}

  /** True when a request arriving at `now` (performance.now()) must be shed. */
  shouldShed(now: number): boolean {
    if (this.fraction === 0) return false;
    if (now - this.sampledAt >= this.sampleMs) {
      this.ratio = this.read();
      this.sampledAt = now;
    }
    return this.ratio > this.fraction;
  }

  /** The heap as it is now, for the metric (reads it when shedding is off too). */
  sample(): number {
    this.ratio = this.read();
    this.sampledAt = performance.now();
    return this.ratio;
  }
}
