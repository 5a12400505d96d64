// The events of an LF-framed stream that contain a key (e.g. `"usage`), found by byte searches alone: per chunk one
// search for a CR, one for the key and one for the last blank line — no per-event slicing. Only an event the key search
// points at (or one that straddles chunks and contains it) is handed on, whole. A CR, or an event bigger than the
// limit, ends this path: the caller then reads the rest with SseBlockReader, from the bytes held here.

const LF = 0x0a;
const CR = 0x0d;
const BLANK_LINE = Buffer.from('\n\n');

export class SseKeyFinder {
  /** The unfinished event's bytes (everything since the last blank line). */
  #carry: Buffer[] = [];
  #carryBytes = 0;

  constructor(
    private readonly key: Buffer,
    private readonly onEvent: (event: Buffer) => void,
    private readonly maxEventBytes: number,
  ) {}

  /** False, before anything of `chunk` is consumed, when the stream cannot be read this way (see takeRest()). */
  feed(chunk: Buffer): boolean {
    if (chunk.length === 0) return true;
    if (this.#carryBytes > this.maxEventBytes || chunk.indexOf(CR) !== -1) return false;
    let start = 0;
    if (this.#carryBytes > 0) {
      const last = this.#carry[this.#carry.length - 1]!;
      // The blank line may straddle the two chunks: "...\n" | "\n...".
      const straddles = last[last.length - 1] === LF && chunk[0] === LF;
      const at = straddles ? -1 : chunk.indexOf(BLANK_LINE);
      if (!straddles && at === -1) {
        this.#hold(chunk);
        return true;
      }
      start = straddles ? 1 : at + 2;
      this.#hold(chunk.subarray(0, start));
      const event = this.takeRest();
      if (event.indexOf(this.key) !== -1) this.onEvent(event);
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
    if (complete < chunk.length) this.#hold(chunk.subarray(complete));
    return true;
  }

  /** The unfinished event held so far: the start of what the block reader must read when feed() gave up. */
  takeRest(): Buffer {
    const rest = this.#carry.length === 1 ? this.#carry[0]! : Buffer.concat(this.#carry, this.#carryBytes);
    this.#carry = [];
    this.#carryBytes = 0;
    return rest;
  }

  #hold(part: Buffer): void {
    this.#carry.push(part);
    this.#carryBytes += part.length;
  }
}
