// Whole event blocks of a stream as raw bytes, for readers that look at most events without decoding them (usage
// found by a byte search, items decoded only when someone subscribes). While the stream is LF-framed, a block is cut
// at each "\n\n" with native searches and no copy; a CR anywhere, or a block bigger than the limit, hands the rest of
// the stream to the WHATWG parser (raw mode), which then cuts the blocks. parseSseBlock reads one block's event.
import { SseParser, type SseEvent } from './parser.js';

const LF = 0x0a;
const CR = 0x0d;
const BLANK_LINE = Buffer.from('\n\n');

export class SseBlockReader {
  #carry: Buffer[] = [];
  #carryBytes = 0;
  /** The parser that took over from the byte-level cut; undefined while the stream is LF-framed. */
  #parser: SseParser | undefined;

  constructor(private readonly maxEventBytes = 1024 * 1024) {}

  /** The whole blocks `chunk` completes, in order; a block of an LF-framed stream ends with its "\n\n". */
  feed(chunk: Buffer): Buffer[] {
    if (chunk.length === 0) return [];
    if (this.#parser === undefined && (this.#carryBytes > this.maxEventBytes || chunk.indexOf(CR) !== -1)) {
      this.#parser = new SseParser({ raw: true, maxEventBytes: this.maxEventBytes });
      const rest = this.#takeCarry();
      if (rest.length > 0) chunk = Buffer.concat([rest, chunk]);
    }
    if (this.#parser !== undefined) return rawBlocks(this.#parser.feedFrames(chunk));
    const blocks: Buffer[] = [];
    let start = 0;
    if (this.#carryBytes > 0) {
      const last = this.#carry[this.#carry.length - 1]!;
      // The blank line may straddle the two chunks: "...\n" | "\n...".
      const straddles = last[last.length - 1] === LF && chunk[0] === LF;
      const at = straddles ? -1 : chunk.indexOf(BLANK_LINE);
      if (!straddles && at === -1) {
        this.#hold(chunk);
        return blocks;
      }
      start = straddles ? 1 : at + 2;
      this.#hold(chunk.subarray(0, start));
      blocks.push(this.#takeCarry());
    }
    for (let at = chunk.indexOf(BLANK_LINE, start); at !== -1; at = chunk.indexOf(BLANK_LINE, start)) {
      blocks.push(chunk.subarray(start, at + 2));
      start = at + 2;
    }
    if (start < chunk.length) this.#hold(chunk.subarray(start));
    return blocks;
  }

  /** The stream ended: the unterminated last block, if any (some servers omit the final blank line). */
  end(): Buffer[] {
    if (this.#parser !== undefined) return rawBlocks(this.#parser.endFrames());
    const rest = this.#takeCarry();
    return rest.length > 0 ? [rest] : [];
  }

  #hold(part: Buffer): void {
    this.#carry.push(part);
    this.#carryBytes += part.length;
  }

  #takeCarry(): Buffer {
    const rest = this.#carry.length === 1 ? this.#carry[0]! : Buffer.concat(this.#carry, this.#carryBytes);
    this.#carry = [];
    this.#carryBytes = 0;
    return rest;
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
