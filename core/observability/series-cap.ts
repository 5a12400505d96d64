// A cap on the label sets (series) each metric the host creates may hold: a label value a client controls must not be
// able to grow /metrics, scrape time and memory without bound. Writes that would create a series past the cap are
// dropped and counted in dgp_metrics_series_dropped_total{metric}; existing series keep counting.
// The cap sits on prom-client's per-metric series map (`hashMap`), the one place every write path (inc, set, observe,
// labels(), startTimer, zero) creates a series in; reset() and remove() keep working through it.
import type { Counter } from 'prom-client';

export const DEFAULT_MAX_SERIES_PER_METRIC = 2000;

type SeriesMap = Record<string, unknown>;

export class SeriesCap {
  #limit: number;
  #dropped: Counter<'metric'> | undefined;
  /** Per metric name: dropped writes not yet handed to the counter (it may not exist yet when a drop happens). */
  readonly #pending = new Map<string, number>();

  constructor(limit = DEFAULT_MAX_SERIES_PER_METRIC) {
    this.#limit = limit;
  }

  get limit(): number {
    return this.#limit;
  }

  /** 0 = no cap. */
  setLimit(limit: number): void {
    this.#limit = limit;
  }

  /** The counter drops are reported in (created by the host's MetricsApi; exempt from the cap). */
  report(dropped: Counter<'metric'>): void {
    this.#dropped = dropped;
    for (const [metric, n] of this.#pending) dropped.inc({ metric }, n);
    this.#pending.clear();
  }

  /** Puts the cap on one prom-client metric (Counter, Gauge or Histogram). */
  guard(metric: object & { name?: string }): void {
    const self = this;
    const name = String(metric.name);
    let proxy: SeriesMap | undefined;
    let target: SeriesMap | undefined;
    let size = 0;
    const handler: ProxyHandler<SeriesMap> = {
      set(t, key, value) {
        if (!Object.hasOwn(t, key)) {
          if (self.#limit > 0 && size >= self.#limit) {
            self.#drop(name);
            return true; // dropped: prom-client reads the entry back only for exemplars, which the host never enables
          }
          size++;
        }
        t[key as string] = value;
        return true;
      },
      deleteProperty(t, key) {
        if (Object.hasOwn(t, key)) {
          size--;
          delete t[key as string];
        }
        return true;
      },
    };
    const wrap = (map: SeriesMap): void => {
      target = map;
      size = Object.keys(map).length;
      proxy = new Proxy(map, handler);
    };
    wrap(((metric as { hashMap?: SeriesMap }).hashMap ?? {}) as SeriesMap);
    // reset() assigns a fresh map: wrap that one too. The getter returns the same proxy until then, so code that
    // compares map identities (HistogramCells) still sees one map.
    Object.defineProperty(metric, 'hashMap', {
      configurable: true,
      enumerable: true,
      get: () => proxy,
      set: (map: SeriesMap) => {
        if (map !== target && map !== proxy) wrap(map);
      },
    });
  }

  #drop(metric: string): void {
    if (this.#dropped !== undefined) this.#dropped.inc({ metric });
    else this.#pending.set(metric, (this.#pending.get(metric) ?? 0) + 1);
  }
}
