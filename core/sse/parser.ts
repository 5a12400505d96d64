// Incremental Server-Sent Events parser per the WHATWG HTML "event stream interpretation" rules: CRLF / LF / CR line
// endings split anywhere, multi-line `data:`, `event:` / `id:` / `retry:`, comments, one leading BOM, and a byte bound
// on the one event held in memory. With `raw: true` it also returns each block's exact bytes (for stream rewriting).

/** One dispatched event (WHATWG "dispatch the event"). */
export interface SseEvent {
  /** The `event:` field, or 'message' when none was given. */
  event: string;
  /** The `data:` lines joined with '\n'. */
  data: string;
  /** The last event ID seen so far in the stream (it persists across events), '' when none. */
  id: string;
  /** Set when this block carried a valid `retry:` field (milliseconds). */
  retry?: number;
}

/** One block of the byte stream ending at a blank line, with its exact bytes (raw mode). */
export interface SseFrame {
  /** The block's bytes, line terminators included. Concatenating every frame gives back the input. */
  raw: Buffer;
  /** The event the block dispatched; undefined for comment-only, empty or oversized blocks. */
  event: SseEvent | undefined;
  /** True when the block exceeded maxEventBytes: its bytes pass through, its event was dropped. */
  oversized?: boolean;
  /**
   * A block with an `event:` field but no data dispatches nothing (WHATWG); its type is given here for readers that
   * still care (an `event: error` block is an error, whatever its data).
   */
  typeOnly?: string;
}

export interface SseParserOptions {
  /** Most bytes of one event held in memory; a bigger event is dropped (and counted). Default 1 MiB. */
  maxEventBytes?: number;
  /** Keep each block's bytes and return them from feedFrames(). Default false. */
  raw?: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

export class SseParser {
  /** Events dropped because they exceeded maxEventBytes. */
  oversizedEvents = 0;
  /** The reconnection time from the last valid `retry:` field, if any. */
  retry: number | undefined;
  private readonly max: number;
  private readonly keepRaw: boolean;
  private lineParts: Buffer[] = [];
  private rawParts: Buffer[] = [];
  private blockBytes = 0;
  private data: string[] = [];
  private eventType = '';
  private eventField = false;
  private lastId = '';
  private blockRetry: number | undefined;
  private skipLeadingLf = false;
  private firstLine = true;
  private oversized = false;
  /** Bytes of the current line, also counted while an oversized line is being skipped (so it is not "blank"). */
  private lineLen = 0;
  /** A finished frame whose terminating CR ended a chunk: an LF may still follow and belongs to it. */
  private heldFrame: SseFrame | undefined;

  constructor(opts: SseParserOptions = {}) {
    this.max = opts.maxEventBytes ?? 1024 * 1024;
    this.keepRaw = opts.raw ?? false;
  }

  /** Bytes of the partial event currently held. */
  get pendingBytes(): number {
    return this.blockBytes;
  }

  get lastEventId(): string {
    return this.lastId;
  }

  /** Parses the next chunk and returns the events it completed. */
  feed(chunk: Buffer | string): SseEvent[] {
    return eventsOf(this.feedFrames(chunk));
  }

  /** Like feed(), but returns every completed block (with its bytes when `raw` is set). */
  feedFrames(chunk: Buffer | string): SseFrame[] {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const out: SseFrame[] = [];
    let pos = 0;
    if (this.skipLeadingLf && buf.length > 0) {
      this.skipLeadingLf = false;
      if (buf[0] === LF) {
        pos = 1;
        if (this.heldFrame) this.heldFrame.raw = Buffer.concat([this.heldFrame.raw, buf.subarray(0, 1)]);
        else this.addRaw(buf.subarray(0, 1), out);
      }
    }
    if (this.heldFrame && buf.length > 0) {
      out.push(this.heldFrame);
      this.heldFrame = undefined;
    }
    let nextLf = -2;
    let nextCr = -2;
    while (pos < buf.length) {
      if (nextLf !== -1 && nextLf < pos) nextLf = buf.indexOf(LF, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = buf.indexOf(CR, pos);
      const end = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (end === -1) {
        this.addLinePart(buf.subarray(pos), out);
        break;
      }
      let termEnd = end + 1;
      if (buf[end] === CR) {
        if (end + 1 < buf.length) {
          if (buf[end + 1] === LF) termEnd = end + 2;
        } else {
          this.skipLeadingLf = true;
        }
      }
      let frame: SseFrame | undefined;
      if (!this.keepRaw && this.lineParts.length === 0 && !this.oversized && this.blockBytes + (end - pos) <= this.max) {
        // The whole line sits in this chunk: decoded in place, without a copy or a slice.
        this.blockBytes += end - pos;
        frame = this.endLine(end === pos ? '' : buf.toString('utf8', pos, end));
      } else {
        this.addLinePart(buf.subarray(pos, end), out);
        this.addRaw(buf.subarray(end, termEnd), out);
        frame = this.endLine();
      }
      if (frame) {
        if (this.skipLeadingLf && this.keepRaw) this.heldFrame = frame;
        else out.push(frame);
      }
      pos = termEnd;
    }
    return out;
  }

  /**
   * The stream ended. Per WHATWG an unterminated event is discarded; `dispatchIncomplete` dispatches it instead
   * (useful for accounting: some servers omit the final blank line). Returns the trailing frames.
   */
  endFrames(opts: { dispatchIncomplete?: boolean } = {}): SseFrame[] {
    const out: SseFrame[] = [];
    if (this.heldFrame) out.push(this.heldFrame);
    this.heldFrame = undefined;
    this.skipLeadingLf = false;
    this.lineLen = 0;
    if (this.lineParts.length > 0) {
      const line = this.takeLineText();
      if (line !== '') this.processLine(line);
    }
    const wasOversized = this.oversized;
    const event = opts.dispatchIncomplete && !wasOversized ? this.dispatch() : undefined;
    const typeOnly = opts.dispatchIncomplete && !wasOversized ? this.typeOnly(event) : undefined;
    const raw = this.takeRaw();
    this.resetBlock();
    if (raw.length > 0 || event || typeOnly !== undefined) out.push(wasOversized ? { raw, event: undefined, oversized: true } : frame(raw, event, typeOnly));
    return out;
  }

  end(opts: { dispatchIncomplete?: boolean } = {}): SseEvent[] {
    return eventsOf(this.endFrames(opts));
  }

  private addRaw(part: Buffer, out: SseFrame[]): void {
    if (!this.keepRaw || part.length === 0) return;
    // An oversized block is no longer held: its bytes are handed on in order as they arrive.
    if (this.oversized) out.push({ raw: Buffer.from(part), event: undefined, oversized: true });
    else this.rawParts.push(Buffer.from(part));
  }

  private addLinePart(part: Buffer, out: SseFrame[]): void {
    if (part.length === 0) return;
    this.lineLen += part.length;
    if (this.oversized) {
      // The oversized block's bytes pass straight through: nothing of it is held any more.
      if (this.keepRaw) out.push({ raw: Buffer.from(part), event: undefined, oversized: true });
      return;
    }
    this.blockBytes += part.length;
    this.lineParts.push(Buffer.from(part));
    if (this.keepRaw) this.rawParts.push(this.lineParts[this.lineParts.length - 1]!);
    if (this.blockBytes > this.max) this.overflow(out);
  }

  private overflow(out: SseFrame[]): void {
    this.oversized = true;
    this.oversizedEvents++;
    const raw = this.takeRaw();
    this.lineParts = [];
    this.data = [];
    this.blockBytes = 0;
    if (this.keepRaw && raw.length > 0) out.push({ raw, event: undefined, oversized: true });
  }

  /** A line ended (its text given when it was decoded in place); returns a frame when it was a block's blank line. */
  private endLine(text?: string): SseFrame | undefined {
    const line = text === undefined ? this.takeLineText() : this.firstLineText(text);
    const blank = this.oversized ? this.lineLen === 0 : line === '';
    this.lineLen = 0;
    if (!blank) {
      if (!this.oversized) this.processLine(line);
      return undefined;
    }
    const wasOversized = this.oversized;
    const event = wasOversized ? undefined : this.dispatch();
    const typeOnly = wasOversized ? undefined : this.typeOnly(event);
    const raw = this.takeRaw();
    this.resetBlock();
    if (!event && raw.length === 0 && typeOnly === undefined) return undefined;
    return wasOversized ? { raw, event: undefined, oversized: true } : frame(raw, event, typeOnly);
  }

  private processLine(line: string): void {
    if (line.charCodeAt(0) === 0x3a /* ':' comment */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.eventType = value;
        this.eventField = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.retry = this.blockRetry = Number.parseInt(value, 10);
        break;
      default:
      // WHATWG: unknown fields are ignored.
    }
  }

  private dispatch(): SseEvent | undefined {
    if (this.data.length === 0) return undefined;
    const ev: SseEvent = { event: this.eventType || 'message', data: this.data.join('\n'), id: this.lastId };
    if (this.blockRetry !== undefined) ev.retry = this.blockRetry;
    return ev;
  }

  private typeOnly(event: SseEvent | undefined): string | undefined {
    return event === undefined && this.eventField ? this.eventType : undefined;
  }

  /** The finished line as text; the stream's one leading BOM is dropped (WHATWG). */
  private takeLineText(): string {
    const parts = this.lineParts;
    this.lineParts = [];
    return this.firstLineText(parts.length === 0 ? '' : (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('utf8'));
  }

  private firstLineText(line: string): string {
    if (!this.firstLine) return line;
    this.firstLine = false;
    return line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  }

  private takeRaw(): Buffer {
    const parts = this.rawParts;
    this.rawParts = [];
    if (parts.length === 0) return EMPTY;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private resetBlock(): void {
    this.data = [];
    this.eventType = '';
    this.eventField = false;
    this.blockRetry = undefined;
    this.blockBytes = 0;
    this.oversized = false;
  }
}

function frame(raw: Buffer, event: SseEvent | undefined, typeOnly: string | undefined): SseFrame {
  return typeOnly === undefined ? { raw, event } : { raw, event, typeOnly };
}

function eventsOf(frames: SseFrame[]): SseEvent[] {
  const out: SseEvent[] = [];
  for (const f of frames) if (f.event) out.push(f.event);
  return out;
}

export function createSseParser(opts?: SseParserOptions): SseParser {
  return new SseParser(opts);
}
