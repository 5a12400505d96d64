// Counter increments kept as plain numbers per label set ("cells") and handed to prom-client when the metric is read.
// prom-client hashes and validates the label object on every inc(); at ~14 increments per request that was a few
// percent of the gateway's CPU (issue 8). Reads always see every increment: the host creates its counters with a
// collect hook (metrics.ts) that drains the cells first, and a counter without that hook is simply incremented at once.
import type { Counter, LabelValues } from 'prom-client';

/** One label set of one counter. */
export interface CounterCell {
  /** Adds `value` (>= 0; default 1). */
  add(value?: number): void;
}

/** Counters created by the host's MetricsApi: their collect hook drains their cells. */
const hooked = new WeakSet<object>();
const MAX_DIRTY = 4096;
const cellsOf = new WeakMap<object, Set<CounterCells<string>>>();

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
    all.add(this as unknown as CounterCells<string>);
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
    cellsOf.get(this.#counter)?.delete(this as unknown as CounterCells<string>);
  }
}
