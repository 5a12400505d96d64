// Where an SSE response stands after the bytes delivered so far: on an event boundary, after a line ending inside an
// event, or inside a line. Line endings are CRLF, LF or CR (WHATWG HTML, "Parsing an event stream"); read from the end
// they pair the same way a parser pairs them from the start, so the last four bytes decide.
const LF = 0x0a;
const CR = 0x0d;

/** The length of the line ending that ends at `end` in `b` (2 for CRLF, 1 for LF or CR), 0 when there is none. */
function endingAt(b: Buffer, end: number): number {
  if (end <= 0) return 0;
  const c = b[end - 1];
  if (c === LF) return end >= 2 && b[end - 2] === CR ? 2 : 1;
  return c === CR ? 1 : 0;
}

export class SseTail {
  /** The last chunk(s) delivered, holding at least the last 4 bytes; copied only when asked. */
  #chunks: Buffer[] = [];
  #total = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#total += chunk.length;
    if (chunk.length >= 4) this.#chunks = [chunk];
    else (this.#chunks = this.#chunks.slice(-3)).push(chunk);
  }

  /**
   * What must precede a new event so it neither glues onto a half-sent line nor joins an unfinished event: '' on an
   * event boundary (or before any byte), '\n' after a line ending, '\n\n' inside a line. After a lone CR the parser may
   * still take a following LF as part of a CRLF, so one LF would not end the event: '\n\n' there.
   */
  separator(): '' | '\n' | '\n\n' {
    if (this.#total === 0) return '';
    const chunks = this.#chunks;
    const tail = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).subarray(-4);
    const last = endingAt(tail, tail.length);
    if (last === 0) return '\n\n';
    const rest = tail.length - last;
    // The delivered bytes are all in view: a single line ending at the very start is an empty line.
    if (endingAt(tail, rest) > 0 || (rest === 0 && this.#total === tail.length)) return '';
    return last === 1 && tail[tail.length - 1] === CR ? '\n\n' : '\n';
  }

  /** Nothing delivered yet, or the last event ended with its blank line. */
  atBoundary(): boolean {
    return this.separator() === '';
  }
}
