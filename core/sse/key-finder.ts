// The events of an LF-framed stream that contain a key (e.g. `"usage`), found by byte searches alone: per chunk one
// search for a CR, one for the key and one for the last blank line — no per-event slicing. Only an event the key search
// points at (or one that straddles chunks and contains it) is handed on, whole. A CR, or an event bigger than the
// limit, ends this path: the caller then reads the rest with SseBlockReader, from the bytes held here.

import { EventCarry } from './event-carry.js';

const CR = 0x0d;
const BLANK_LINE = Buffer.from('\n\n');

export class SseKeyFinder {
  /** The unfinished event's bytes (everything since the last blank line). */
  readonly #carry = new EventCarry();

  constructor(
    private readonly key: Buffer,
    private readonly onEvent: (event: Buffer) => void,
    private readonly maxEventBytes: number,
  ) {}

  /** False, before anything of `chunk` is consumed, when the stream cannot be read this way (see takeRest()). */
  feed(chunk: Buffer): boolean {
    if (chunk.length === 0) return true;
    if (this.#carry.bytes > this.maxEventBytes || chunk.indexOf(CR) !== -1) return false;
    let start = 0;
    if (this.#carry.bytes > 0) {
      const done = this.#carry.complete(chunk);
      if (done === undefined) return true;
      start = done.next;
      if (done.event.indexOf(this.key) !== -1) this.onEvent(done.event);
    }
    const lastBlank = chunk.lastIndexOf(BLANK_LINE);
    const complete = lastBlank !== -1 && lastBlank + 2 > start ? lastBlank + 2 : start;
    for (let at = chunk.indexOf(this.key, start); at !== -1 && at < complete; ) {
      const before = chunk.lastIndexOf(BLANK_LINE, at);
      const from = before !== -1 && before + 2 > start ? before + 2 : start;
      const end = chunk.indexOf(BLANK_LINE, at) + 2;
      this.onEvent(chunk.subarray(from, end));
      at = chunk.indexOf(this.key, end);
    }
    if (complete < chunk.length) this.#carry.hold(chunk.subarray(complete));
    return true;
  }

  /** The unfinished event held so far: the start of what the block reader must read when feed() gave up. */
  takeRest(): Buffer {
    return this.#carry.take();
  }
}
