// Splits an LF-framed event stream into whole events at the byte level, so the stream observer can look for usage with
// a byte search and hand only the events that may carry it to the WHATWG parser. Decoding and parsing every content
// event was most of the tokenizer's cost on streams (issue 8). A CR anywhere, or an event bigger than the limit, ends
// this path for good: the rest of such a stream goes through the full parser (CRLF / CR framings, oversized events).

const LF = 0x0a;
const CR = 0x0d;
const BLANK_LINE = Buffer.from('\n\n');

export class LfFrameSplitter {
  #carry: Buffer[] = [];
  #carryBytes = 0;

  constructor(private readonly maxEventBytes: number) {}

  /**
   * The whole events `chunk` completes, each ending in "\n\n" (the blank line included). Undefined, before anything of
   * `chunk` is consumed, when the stream cannot be split this way: the caller then feeds takeRest() and the chunk to
   * the full parser.
   */
  split(chunk: Buffer): Buffer[] | undefined {
    if (this.#carryBytes > this.maxEventBytes || chunk.indexOf(CR) !== -1) return undefined;
    const frames: Buffer[] = [];
    let start = 0;
    if (this.#carryBytes > 0) {
      const last = this.#carry[this.#carry.length - 1]!;
      // The blank line may straddle the two chunks: "...\n" | "\n...".
      const straddles = last[last.length - 1] === LF && chunk[0] === LF;
      const at = straddles ? -1 : chunk.indexOf(BLANK_LINE);
      if (!straddles && at === -1) {
        this.#hold(chunk);
        return frames;
      }
      start = straddles ? 1 : at + 2;
      this.#hold(chunk.subarray(0, start));
      frames.push(this.takeRest());
    }
    for (let at = chunk.indexOf(BLANK_LINE, start); at !== -1; at = chunk.indexOf(BLANK_LINE, start)) {
      frames.push(chunk.subarray(start, at + 2));
      start = at + 2;
    }
    if (start < chunk.length) this.#hold(chunk.subarray(start));
    return frames;
  }

  /** The incomplete event held so far (for the full parser, when split() gave up). */
  takeRest(): Buffer {
    const rest = Buffer.concat(this.#carry, this.#carryBytes);
    this.#carry = [];
    this.#carryBytes = 0;
    return rest;
  }

  /** Keeps the start of an unfinished event (past maxEventBytes, the next split() hands over to the parser). */
  #hold(part: Buffer): void {
    this.#carry.push(part);
    this.#carryBytes += part.length;
  }
}
