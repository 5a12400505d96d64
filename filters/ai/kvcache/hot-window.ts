// Hot-content counting (Pixiu RecordHot / IsHot, spec §3.4.3): per prompt key, the request timestamps within
// `hot_window`, at most `hot_max_records` of them; at most `hot_max_keys` keys (expired first, then least recently
// seen go). Drives the pinning decision of the cache strategy.

export interface HotWindowOptions {
  windowMs: number;
  maxRecords: number;
  /** 0 = unbounded. */
  maxKeys: number;
  now?: () => number;
}

export class HotWindow {
  /** key → timestamps (oldest first); Map order = least recently seen first. */
  readonly #keys = new Map<string, number[]>();
  readonly #now: () => number;
  #lastSweep: number;

  constructor(private readonly opts: HotWindowOptions) {
    this.#now = opts.now ?? (() => performance.now());
    this.#lastSweep = this.#now();
  }

  get size(): number {
    return this.#keys.size;
  }

  record(key: string): void {
    if (key === '' || this.opts.windowMs <= 0) return;
    const now = this.#now();
    const times = this.#keys.get(key) ?? [];
    this.#keys.delete(key);
    times.push(now);
    this.#trim(times, now);
    if (times.length > this.opts.maxRecords) times.splice(0, times.length - this.opts.maxRecords);
    this.#keys.set(key, times);
    this.#maybeSweep(now);
    this.#cap(now);
  }

  /** True when at least `threshold` requests for `key` fall within the window (false for threshold <= 0). */
  isHot(key: string, threshold: number): boolean {
    if (threshold <= 0 || key === '' || this.opts.windowMs <= 0) return false;
    const times = this.#keys.get(key);
    if (times === undefined) return false;
    const from = this.#now() - this.opts.windowMs;
    let n = 0;
    for (const t of times) if (t >= from) n++;
    return n >= threshold;
  }

  count(key: string): number {
    return this.#keys.get(key)?.length ?? 0;
  }

  #trim(times: number[], now: number): void {
    const from = now - this.opts.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop]! < from) drop++;
    if (drop > 0) times.splice(0, drop);
  }

  /** Pixiu sweeps the whole map at most every hot_window/2 (at least 30 s when the window is longer than 30 s). */
  #maybeSweep(now: number): void {
    const w = this.opts.windowMs;
    const every = w > 30_000 ? Math.max(w / 2, 30_000) : w / 2;
    if (now - this.#lastSweep < every) return;
    this.#lastSweep = now;
    for (const [k, times] of this.#keys) {
      this.#trim(times, now);
      if (times.length === 0) this.#keys.delete(k);
    }
  }

  #cap(now: number): void {
    const max = this.opts.maxKeys;
    if (max <= 0 || this.#keys.size <= max) return;
    const from = now - this.opts.windowMs;
    for (const [k, times] of this.#keys) {
      if (this.#keys.size <= max) return;
      if ((times[times.length - 1] ?? -Infinity) < from) this.#keys.delete(k);
    }
    for (const k of this.#keys.keys()) {
      if (this.#keys.size <= max) return;
      this.#keys.delete(k);
    }
  }
}
