// The unfinished event of an LF-framed stream, held across chunks without copying until it is complete: what the
// byte-level readers (blocks.ts, key-finder.ts) keep between one chunk and the next.

const LF = 0x0a;
const BLANK_LINE = Buffer.from('\n\n');

export class EventCarry {
  #parts: Buffer[] = [];
  #bytes = 0;

  /** Bytes held so far (0: the last chunk ended on an event boundary). */
  get bytes(): number {
    return this.#bytes;
  }

  hold(part: Buffer): void {
    this.#parts.push(part);
    this.#bytes += part.length;
  }

  /** Everything held, as one buffer; the carry is empty afterwards. */
  take(): Buffer {
    const rest = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#bytes);
    this.#parts = [];
    this.#bytes = 0;
    return rest;
  }

  /**
   * Ends the held event with the head of `chunk` (call only while bytes > 0): the completed event and the index in
   * `chunk` where the next one starts, or undefined when `chunk` has no event end (then it is held whole).
   */
  complete(chunk: Buffer): { event: Buffer; next: number } | undefined {
    const last = this.#parts[this.#parts.length - 1]!;
    // The blank line may straddle the two chunks: "...\n" | "\n...".
    const straddles = last[last.length - 1] === LF && chunk[0] === LF;
    const at = straddles ? -1 : chunk.indexOf(BLANK_LINE);
    if (!straddles && at === -1) {
      this.hold(chunk);
      return undefined;
    }
    const next = straddles ? 1 : at + 2;
    this.hold(chunk.subarray(0, next));
    return { event: this.take(), next };
  }
}
