// Whole event blocks of a stream as raw bytes, for readers that look at most events without decoding them (usage
// found by a byte search, items decoded only when someone subscribes). While the stream is LF-framed, a block is cut
// at each "\n\n" with native searches and no copy; a CR anywhere, or a block bigger than the limit, hands the rest of
// the stream to the WHATWG parser (raw mode), which then cuts the blocks. parseSseBlock reads one block's event.
import { EventCarry } from './event-carry.js';
import { SseParser, type SseEvent } from './parser.js';

const CR = 0x0d;
const BLANK_LINE = Buffer.from('\n\n');

export class SseBlockReader {
  readonly #carry = new EventCarry();
  /** The parser that took over from the byte-level cut; undefined while the stream is LF-framed. */
  #parser: SseParser | undefined;

  constructor(private readonly maxEventBytes = 1024 * 1024) {}

  /** The whole blocks `chunk` completes, in order; a block of an LF-framed stream ends with its "\n\n". */
  feed(chunk: Buffer): Buffer[] {
    if (chunk.length === 0) return [];
    if (this.#parser === undefined && (this.#carry.bytes > this.maxEventBytes || chunk.indexOf(CR) !== -1)) {
      this.#parser = new SseParser({ raw: true, maxEventBytes: this.maxEventBytes });
      const rest = this.#carry.take();
      if (rest.length > 0) chunk = Buffer.concat([rest, chunk]);
    }
    if (this.#parser !== undefined) return rawBlocks(this.#parser.feedFrames(chunk));
    const blocks: Buffer[] = [];
    let start = 0;
    if (this.#carry.bytes > 0) {
      const done = this.#carry.complete(chunk);
      if (done === undefined) return blocks;
      start = done.next;
      blocks.push(done.event);
    }
    for (let at = chunk.indexOf(BLANK_LINE, start); at !== -1; at = chunk.indexOf(BLANK_LINE, start)) {
      blocks.push(chunk.subarray(start, at + 2));
      start = at + 2;
    }
    if (start < chunk.length) this.#carry.hold(chunk.subarray(start));
    return blocks;
  }

  /** The stream ended: the unterminated last block, if any (some servers omit the final blank line). */
  end(): Buffer[] {
    if (this.#parser !== undefined) return rawBlocks(this.#parser.endFrames());
    const rest = this.#carry.take();
    return rest.length > 0 ? [rest] : [];
  }
}

function rawBlocks(frames: ReturnType<SseParser['feedFrames']>): Buffer[] {
  const out: Buffer[] = [];
  for (const f of frames) if (!f.oversized && f.raw.length > 0) out.push(f.raw);
  return out;
}

/** The event one whole block dispatches (an unterminated last block counts), or undefined (comments, no data). */
export function parseSseBlock(block: Buffer): SseEvent | undefined {
  const parser = new SseParser();
  const events = parser.feed(block);
  return events[0] ?? parser.end({ dispatchIncomplete: true })[0];
}
