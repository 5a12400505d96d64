// Counter increments kept as plain numbers per label set ("cells") and handed to prom-client when the metric is read.
// prom-client hashes and validates the label object on every inc(); at ~14 increments per request that was a few
// percent of the gateway's CPU. Reads always see every increment: the host creates its counters with a
// collect hook (metrics.ts) that drains the cells first, and a counter without that hook is simply incremented at once.
import type { Counter, Histogram, LabelValues } from 'prom-client';

/** One label set of one counter. */
export interface CounterCell {
  /** Adds `value` (>= 0; default 1). */
  add(value?: number): void;
}

/** Counters created by the host's MetricsApi: their collect hook drains their cells. */
const hooked = new WeakSet<object>();
const MAX_DIRTY = 4096;
const cellsOf = new WeakMap<object, Set<{ drain(): void }>>();

/** Marks a counter whose `collect` calls drainCounter (metrics.ts does this for every counter it creates). */
export function hookCounter(counter: object): void {
  hooked.add(counter);
}

/** The collect hook: hands every pending increment of `counter` to prom-client. */
export function drainCounter(counter: object): void {
  for (const cells of cellsOf.get(counter) ?? []) cells.drain();
}

class Cell<L extends string> implements CounterCell {
  pending = 0;
  dirty = false;

  constructor(
    private readonly owner: CounterCells<L>,
    readonly labels: LabelValues<L>,
  ) {}

  add(value = 1): void {
    if (!(value >= 0) || value === Infinity) throw new TypeError(`counter increment must be a finite number >= 0, got ${value}`);
    this.pending += value;
    // Marked even for 0: prom-client shows a series once it was incremented, by any amount.
    if (!this.dirty) this.owner.mark(this);
  }
}

export class CounterCells<L extends string> {
  readonly #counter: Counter<L>;
  readonly #dirty = new Set<Cell<L>>();
  readonly #direct: boolean;

  constructor(counter: Counter<L>) {
    this.#counter = counter;
    this.#direct = !hooked.has(counter);
    if (this.#direct) return;
    let all = cellsOf.get(counter);
    if (all === undefined) cellsOf.set(counter, (all = new Set()));
    all.add(this);
  }

  /** A cell for these label values; keep it (e.g. in a bounded map) and add to it on every request. */
  cell(labels: LabelValues<L>): CounterCell {
    return new Cell(this, labels);
  }

  /** @internal */
  mark(cell: Cell<L>): void {
    if (this.#direct) {
      this.#counter.inc(cell.labels, cell.pending);
      cell.pending = 0;
      return;
    }
    cell.dirty = true;
    this.#dirty.add(cell);
    // Nobody scraping for a long time must not mean unbounded memory: hand over early instead.
    if (this.#dirty.size >= MAX_DIRTY) this.drain();
  }

  drain(): void {
    for (const cell of this.#dirty) {
      this.#counter.inc(cell.labels, cell.pending);
      cell.pending = 0;
      cell.dirty = false;
    }
    this.#dirty.clear();
  }

  /** Drains, then stops collecting through this object (a retired generation's filter). */
  close(): void {
    this.drain();
    cellsOf.get(this.#counter)?.delete(this);
  }
}

// --- histograms ------------------------------------------------------------------------------------------------------

/** One label set of one histogram. */
export interface HistogramCell {
  observe(value: number): void;
}

/** The parts of prom-client 15's Histogram that a drain writes into (checked at construction; see HistogramCells). */
interface HistogramInternals {
  upperBounds: number[];
  hashMap: Record<string, { labels: object; bucketValues: Record<number, number>; sum: number; count: number }>;
}

function internalsOf(h: object): HistogramInternals | undefined {
  const i = h as Partial<HistogramInternals>;
  return Array.isArray(i.upperBounds) && typeof i.hashMap === 'object' && i.hashMap !== null ? (i as HistogramInternals) : undefined;
}

class HCell<L extends string> implements HistogramCell {
  dirty = false;
  sum = 0;
  count = 0;
  /** Pending observations per bucket index; the last slot counts values above every bound (+Inf only). */
  readonly buckets: Float64Array;
  /** The first value observed since the last drain: replayed through prom-client to create its series entry. */
  first = 0;
  entry: HistogramInternals['hashMap'][string] | undefined;
  map: object | undefined;

  constructor(
    private readonly owner: HistogramCells<L>,
    readonly labels: LabelValues<L>,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`histogram value must be a finite number, got ${value}`);
    const bounds = this.bounds;
    let b = 0;
    while (b < bounds.length && value > bounds[b]!) b++;
    if (this.count === 0) this.first = value;
    this.buckets[b]! += 1;
    this.sum += value;
    this.count += 1;
    if (!this.dirty) this.owner.mark(this);
  }
}

/**
 * Histogram observations kept per label set and added to prom-client's series when the histogram is read (its collect
 * hook, set by metrics.ts), like CounterCells: prom-client validates and hashes the label object on every observe(),
 * which was ~1.5 µs per observation and three or four per request. The drain replays the first pending value
 * through observe() so prom-client creates the series, then adds the rest to that series' buckets, sum and count.
 * A histogram that is not hooked, or whose internals are not prom-client 15's, is observed directly.
 */
export class HistogramCells<L extends string> {
  readonly #h: Histogram<L>;
  readonly #internals: HistogramInternals | undefined;
  readonly #dirty = new Set<HCell<L>>();

  constructor(histogram: Histogram<L>) {
    this.#h = histogram;
    this.#internals = hooked.has(histogram) ? internalsOf(histogram) : undefined;
    if (this.#internals === undefined) return;
    let all = cellsOf.get(histogram);
    if (all === undefined) cellsOf.set(histogram, (all = new Set()));
    all.add(this);
  }

  cell(labels: LabelValues<L>): HistogramCell {
    if (this.#internals === undefined) {
      const h = this.#h;
      return { observe: (value) => h.observe(labels, value) };
    }
    return new HCell(this, labels, this.#internals.upperBounds);
  }

  /** @internal */
  mark(cell: HCell<L>): void {
    cell.dirty = true;
    this.#dirty.add(cell);
    if (this.#dirty.size >= MAX_DIRTY) this.drain();
  }

  drain(): void {
    const h = this.#internals!;
    for (const cell of this.#dirty) {
      cell.dirty = false;
      if (cell.count === 0) continue;
      // The series entry: found once, again after a reset() (which replaces the map) or a series removal.
      const before = cell.entry?.count;
      this.#h.observe(cell.labels, cell.first);
      if (cell.map !== h.hashMap || cell.entry === undefined || cell.entry.count !== before! + 1) {
        cell.map = h.hashMap;
        cell.entry = Object.values(h.hashMap).find((e) => sameLabels(e.labels as Record<string, unknown>, cell.labels));
      }
      const entry = cell.entry;
      // The replayed value sits in its own bucket already; the other count - 1 values are added here.
      let b = 0;
      while (b < h.upperBounds.length && cell.first > h.upperBounds[b]!) b++;
      cell.buckets[b]! -= 1;
      if (entry !== undefined) {
        for (let i = 0; i < h.upperBounds.length; i++) {
          const n = cell.buckets[i]!;
          if (n !== 0) entry.bucketValues[h.upperBounds[i]!] = (entry.bucketValues[h.upperBounds[i]!] ?? 0) + n;
        }
        entry.sum += cell.sum - cell.first;
        entry.count += cell.count - 1;
      }
      cell.buckets.fill(0);
      cell.sum = 0;
      cell.count = 0;
    }
    this.#dirty.clear();
  }

  close(): void {
    if (this.#internals === undefined) return;
    this.drain();
    cellsOf.get(this.#h)?.delete(this);
  }
}

function sameLabels(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (String(a[k]) !== String(b[k])) return false;
  return true;
}
