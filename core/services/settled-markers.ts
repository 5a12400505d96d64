// The memory store's settled-request markers: two generations (the current and the previous marker period), so each
// marker lives one to two periods. A busy gateway writes one per request, so a generation holds hundreds of thousands
// of strings, and a JS Set of them cost a cache miss per probe (about a microsecond here) plus, every time it grew,
// a rehash that read the hash out of every string. A generation is therefore its own table: the markers in an
// append-only array, an open-addressing index of (FNV-1a hash, position) pairs in an Int32Array (it grows without
// touching a string), and a small bit filter in front (two bits per marker): a hold — whose id was almost never
// settled — is answered "not settled" by the filter alone. Every "maybe" is settled by the index and a string
// comparison, so a collision costs a probe, never a wrong answer.
import { randomBytes } from 'node:crypto';

/** Bit filter: 32 bits per marker, between 2^16 and 2^24 bits (2 MiB). */
const MIN_BITS = 1 << 16;
const MAX_BITS = 1 << 24;
/** Index slots (8 bytes each): at least twice the markers. */
const MIN_SLOTS = 1 << 12;

/**
 * FNV-1a of the whole marker from a per-process random basis: request ids may come from clients (x-request-id, up
 * to 128 characters), and ids crafted to share one hash would make every probe walk all of them; without the
 * basis they cannot be crafted offline (V8 seeds its own string hash for the same reason).
 */
const BASIS = 0x811c9dc5 ^ randomBytes(4).readInt32LE(0);

function hashOf(s: string): number {
  let h = BASIS;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

const powerOfTwo = (min: number, atLeast: number, max = Infinity): number => {
  let n = min;
  while (n < atLeast && n < max) n *= 2;
  return n;
};

class Generation {
  readonly markers: string[] = [];
  /** Slot i: [2i] the marker's hash, [2i + 1] its position + 1 (0: empty). */
  #index: Int32Array;
  #slotMask: number;
  #bits: Int32Array;
  #bitMask: number;

  /** Sized for `expected` markers (the previous generation's count). */
  constructor(expected: number) {
    const slots = powerOfTwo(MIN_SLOTS, expected * 2);
    this.#index = new Int32Array(slots * 2);
    this.#slotMask = slots - 1;
    const bits = powerOfTwo(MIN_BITS, expected * 32, MAX_BITS);
    this.#bits = new Int32Array(bits >>> 5);
    this.#bitMask = bits - 1;
  }

  get size(): number {
    return this.markers.length;
  }

  has(marker: string, h: number): boolean {
    return this.#maybe(h) && this.#find(marker, h);
  }

  /** Writes the marker; false when it was there. */
  add(marker: string, h: number): boolean {
    if (this.#maybe(h) && this.#find(marker, h)) return false;
    this.markers.push(marker);
    this.#place(h, this.markers.length);
    this.#note(h);
    const n = this.markers.length;
    if (n * 2 > this.#slotMask + 1) this.#growIndex();
    if (n * 32 > this.#bitMask + 1 && this.#bitMask + 1 < MAX_BITS) this.#growBits();
    return true;
  }

  #find(marker: string, h: number): boolean {
    const index = this.#index;
    for (let i = h & this.#slotMask; ; i = (i + 1) & this.#slotMask) {
      const at = index[2 * i + 1]!;
      if (at === 0) return false;
      if (index[2 * i] === h && this.markers[at - 1] === marker) return true;
    }
  }

  #place(h: number, at: number): void {
    const index = this.#index;
    let i = h & this.#slotMask;
    while (index[2 * i + 1] !== 0) i = (i + 1) & this.#slotMask;
    index[2 * i] = h;
    index[2 * i + 1] = at;
  }

  /** Twice the slots, filled from the old index alone (no marker string is read). */
  #growIndex(): void {
    const old = this.#index;
    const slots = (this.#slotMask + 1) * 2;
    this.#index = new Int32Array(slots * 2);
    this.#slotMask = slots - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.#place(old[i]!, old[i + 1]!);
  }

  /** Twice the bits, refilled from the index's hashes. */
  #growBits(): void {
    const bits = (this.#bitMask + 1) * 2;
    this.#bits = new Int32Array(bits >>> 5);
    this.#bitMask = bits - 1;
    const index = this.#index;
    for (let i = 0; i < index.length; i += 2) if (index[i + 1] !== 0) this.#note(index[i]!);
  }

  /** false: certainly absent; true: maybe present (the index says). */
  #maybe(h: number): boolean {
    const a = h & this.#bitMask;
    const b = (Math.imul(h, 0x9e3779b1) >>> 7) & this.#bitMask;
    return (this.#bits[a >>> 5]! & (1 << (a & 31))) !== 0 && (this.#bits[b >>> 5]! & (1 << (b & 31))) !== 0;
  }

  #note(h: number): void {
    const a = h & this.#bitMask;
    const b = (Math.imul(h, 0x9e3779b1) >>> 7) & this.#bitMask;
    this.#bits[a >>> 5]! |= 1 << (a & 31);
    this.#bits[b >>> 5]! |= 1 << (b & 31);
  }
}

export class SettledMarkers {
  #current = new Generation(0);
  #previous: Generation | undefined;
  #periodMs = 0;
  #rotateAt = 0;

  get size(): number {
    return this.#current.size + (this.#previous?.size ?? 0);
  }

  /** True when the marker was written within the last one to two periods. */
  has(marker: string, now: number): boolean {
    this.#rotate(now);
    const h = hashOf(marker);
    return this.#current.has(marker, h) || (this.#previous !== undefined && this.#previous.has(marker, h));
  }

  /**
   * Writes the marker unless it exists; false when it did. The period follows the longest TTL asked for; a marker
   * without TTL is kept for a day.
   */
  add(marker: string, ttlMs: number | undefined, now: number): boolean {
    this.#rotate(now);
    const h = hashOf(marker);
    if (this.#previous !== undefined && this.#previous.has(marker, h)) return false;
    if (!this.#current.add(marker, h)) return false;
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
    this.#previous = onTime && ending.size > 0 ? ending : undefined;
    // Sized for as many markers as the period that ended: steady traffic never grows a generation.
    this.#current = new Generation(ending.size);
    this.#rotateAt = onTime ? this.#rotateAt + this.#periodMs : now + this.#periodMs;
  }

  clear(): void {
    this.#current = new Generation(0);
    this.#previous = undefined;
  }
}
