// The events of an LF-framed stream that contain a key (e.g. `"usage`), found by byte searches alone: per chunk one
// search for a CR, one for the key and one for the last blank line — no per-event slicing. Only an event the key search
// points at (or one that straddles chunks and contains it) is handed on, whole. A CR, or an event bigger than the
// limit, ends this path: the caller then reads the rest with SseBlockReader, from the bytes held here.

import { EventCarry } from './event-carry.js';

const CR = 0x0d;
const BLANK_LINE = Buffer.from('\n\n');

/** Letters from the most to the least frequent in English text: the key is searched by its rarest letter. */
const LETTER_FREQUENCY = 'etaoinshrdlcumwfgypbvkjxqz';

/**
 * Decides from the bytes at and after a key occurrence whether its event is wanted (e.g. `"usage":null` is not).
 * Only bytes of the same event are read: the event is complete in `buf`.
 */
export type KeyFilter = (buf: Buffer, at: number) => boolean;

export class SseKeyFinder {
  /** The unfinished event's bytes (everything since the last blank line). */
  readonly #carry = new EventCarry();
  /** The key byte searched for (a native memchr), then the whole key compared around it. */
  readonly #pivot: number;
  readonly #pivotByte: number;

  constructor(
    private readonly key: Buffer,
    private readonly onEvent: (event: Buffer) => void,
    private readonly maxEventBytes: number,
    private readonly accept?: KeyFilter,
  ) {
    let pivot = 0;
    let rank = -2;
    for (let i = 0; i < key.length; i++) {
      const r = LETTER_FREQUENCY.indexOf(String.fromCharCode(key[i]! | 0x20));
      if (r > rank) [pivot, rank] = [i, r];
    }
    this.#pivot = pivot;
    this.#pivotByte = key[pivot]!;
  }

  /** False, before anything of `chunk` is consumed, when the stream cannot be read this way (see takeRest()). */
  feed(chunk: Buffer): boolean {
    if (chunk.length === 0) return true;
    if (this.#carry.bytes > this.maxEventBytes || chunk.indexOf(CR) !== -1) return false;
    let start = 0;
    if (this.#carry.bytes > 0) {
      const done = this.#carry.complete(chunk);
      if (done === undefined) return true;
      start = done.next;
      if (this.#wanted(done.event, 0, done.event.length) !== -1) this.onEvent(done.event);
    }
    const lastBlank = chunk.lastIndexOf(BLANK_LINE);
    const complete = lastBlank !== -1 && lastBlank + 2 > start ? lastBlank + 2 : start;
    for (let at = this.#wanted(chunk, start, complete); at !== -1; ) {
      const before = chunk.lastIndexOf(BLANK_LINE, at);
      const from = before !== -1 && before + 2 > start ? before + 2 : start;
      const end = chunk.indexOf(BLANK_LINE, at) + 2;
      this.onEvent(chunk.subarray(from, end));
      at = this.#wanted(chunk, end, complete);
    }
    if (complete < chunk.length) this.#carry.hold(chunk.subarray(complete));
    return true;
  }

  /** The unfinished event held so far: the start of what the block reader must read when feed() gave up. */
  takeRest(): Buffer {
    return this.#carry.take();
  }

  /** The first key occurrence in buf[from, to) that the filter accepts, or -1. */
  #wanted(buf: Buffer, from: number, to: number): number {
    for (let at = this.#indexOfKey(buf, from, to); at !== -1; at = this.#indexOfKey(buf, at + 1, to)) {
      if (this.accept === undefined || this.accept(buf, at)) return at;
    }
    return -1;
  }

  /** Buffer.indexOf(key) restricted to matches starting before `to`, by a memchr of the key's rarest byte. */
  #indexOfKey(buf: Buffer, from: number, to: number): number {
    const key = this.key;
    const pivot = this.#pivot;
    const last = Math.min(to, buf.length - key.length + 1);
    for (let p = buf.indexOf(this.#pivotByte, from + pivot); p !== -1; p = buf.indexOf(this.#pivotByte, p + 1)) {
      const at = p - pivot;
      if (at >= last) return -1;
      let i = 0;
      while (i < key.length && buf[at + i] === key[i]) i++;
      if (i === key.length) return at;
    }
    return -1;
  }
}
