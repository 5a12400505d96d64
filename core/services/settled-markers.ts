// The memory store's settled-request markers: two generations (the current and the previous marker period), so each
// marker lives one to two periods. A busy gateway writes one per request, so a generation holds hundreds of thousands
// of strings and every probe of its Set is a cache miss (about a microsecond here). Each generation therefore has a
// small bit filter in front (two bits per marker, from a hash of the string): a hold — whose id was almost never
// settled — is answered "not settled" by the filter without touching the Set; the Set stays the exact answer
// whenever the filter says "maybe", so a filter collision costs one probe, never a wrong answer.

/** Bits of a generation's filter: 32 per marker of the previous generation, between 2^16 and 2^24 (2 MiB). */
const MIN_BITS = 1 << 16;
const MAX_BITS = 1 << 24;

class Generation {
  readonly bits: Int32Array;
  readonly mask: number;

  constructor(
    bits: number,
    readonly set = new Set<string>(),
  ) {
    this.bits = new Int32Array(bits >>> 5);
    this.mask = bits - 1;
    for (const m of set) this.note(hashOf(m));
  }

  /** Past 32 bits per marker the filter starts to say "maybe" too often: time for one twice its size. */
  get crowded(): boolean {
    return this.set.size > (this.mask + 1) >>> 5 && this.mask + 1 < MAX_BITS;
  }

  /** false: certainly absent; true: maybe present (the Set says). */
  maybe(h: number): boolean {
    const a = h & this.mask;
    const b = Math.imul(h, 0x9e3779b1) >>> 7 & this.mask;
    return (this.bits[a >>> 5]! & (1 << (a & 31))) !== 0 && (this.bits[b >>> 5]! & (1 << (b & 31))) !== 0;
  }

  note(h: number): void {
    const a = h & this.mask;
    const b = Math.imul(h, 0x9e3779b1) >>> 7 & this.mask;
    this.bits[a >>> 5]! |= 1 << (a & 31);
    this.bits[b >>> 5]! |= 1 << (b & 31);
  }
}

/** FNV-1a of the marker's last 48 characters (where request ids differ; a shared ending only costs exact probes). */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = Math.max(0, s.length - 48); i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

const bitsFor = (markers: number): number => {
  let bits = MIN_BITS;
  while (bits < markers * 32 && bits < MAX_BITS) bits *= 2;
  return bits;
};

export class SettledMarkers {
  #current = new Generation(MIN_BITS);
  #previous: Generation | undefined;
  #periodMs = 0;
  #rotateAt = 0;

  get size(): number {
    return this.#current.set.size + (this.#previous?.set.size ?? 0);
  }

  /** True when the marker was written within the last one to two periods. */
  has(marker: string, now: number): boolean {
    this.#rotate(now);
    const h = hashOf(marker);
    const cur = this.#current;
    if (cur.maybe(h) && cur.set.has(marker)) return true;
    const prev = this.#previous;
    return prev !== undefined && prev.maybe(h) && prev.set.has(marker);
  }

  /**
   * Writes the marker unless it exists; false when it did. The period follows the longest TTL asked for; a marker
   * without TTL is kept for a day.
   */
  add(marker: string, ttlMs: number | undefined, now: number): boolean {
    this.#rotate(now);
    const h = hashOf(marker);
    const prev = this.#previous;
    if (prev !== undefined && prev.maybe(h) && prev.set.has(marker)) return false;
    const cur = this.#current;
    const size = cur.set.size;
    cur.set.add(marker);
    if (cur.set.size === size) return false;
    cur.note(h);
    // A first period (or a traffic jump) outgrows the filter: rebuilt twice as large, so each marker is rehashed
    // a bounded number of times.
    if (cur.crowded) this.#current = new Generation((cur.mask + 1) * 2, cur.set);
    const period = ttlMs !== undefined && ttlMs > 0 ? ttlMs : 24 * 3_600_000;
    if (period > this.#periodMs) {
      this.#periodMs = period;
      this.#rotateAt = now + period;
    }
    return true;
  }

  /** The store's sweep: generations end on time without traffic too. */
  sweep(now: number): void {
    this.#rotate(now);
  }

  /** Starts a new generation once the period is over; two periods without one end the previous generation too. */
  #rotate(now: number): void {
    if (this.#periodMs === 0 || now < this.#rotateAt) return;
    const onTime = now < this.#rotateAt + this.#periodMs;
    const ending = this.#current;
    this.#previous = onTime && ending.set.size > 0 ? ending : undefined;
    this.#current = new Generation(bitsFor(ending.set.size));
    this.#rotateAt = onTime ? this.#rotateAt + this.#periodMs : now + this.#periodMs;
  }

  clear(): void {
    this.#current = new Generation(MIN_BITS);
    this.#previous = undefined;
  }
}
