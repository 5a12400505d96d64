// Watches one streamed response as its chunks pass: SSE events (or a non-SSE JSON body) are parsed from the bytes —
// decompressed from a copy when encoded — with one partial event held at most. In strip mode it also rewrites the
// SSE frames the client gets (stripInjectedUsage, shared with the OpenAI codec), holding back a partial event until it is complete.
import { SseBlockReader, SseParser, parseSseBlock, type SseFrame } from '../../../core/index.js';
import { stripInjectedUsage } from '../../../core/llm/index.js';
import { StreamDecoder } from './decompress.js';
import { usageFromTail, type TailParts } from './json-tail.js';
import { ChunkUsageScan } from './usage.js';

export interface StreamObserverOptions {
  sse: boolean;
  /** Content-Encoding codings (see contentCodings); [] for identity. */
  codings: readonly string[];
  /** Rewrite the client stream to undo an injected include_usage (identity SSE only). */
  strip: boolean;
  maxEventBytes: number;
}

/** Where the observer reports what it finds (the tokenizer's per-request state). */
export interface StreamSink {
  /** Every parsed JSON value: one SSE event's data, or the whole non-SSE body. */
  onValue(value: unknown): void;
  /** A whole raw SSE event left unparsed because it cannot carry usage (see mayHoldUsage). */
  onSkipped(event: Buffer): void;
  /** Usage found in the tail of a non-SSE body too big to parse whole. */
  onTail(parts: TailParts): void;
  /** The first SSE data event (or first body byte of a non-SSE stream) went by. */
  onFirstData(): void;
  /** Decoding or parsing stopped working; the client stream is unaffected. */
  onProblem(reason: string, err?: unknown): void;
}

const TAIL_CHARS = 64 * 1024;

export class StreamObserver {
  private readonly parser: SseParser;
  /** Whole raw event blocks, cut without decoding (core/sse/blocks.ts); undefined in strip mode. */
  private blocks: SseBlockReader | undefined;
  private readonly decoder: StreamDecoder | undefined;
  private readonly strip: boolean;
  private first = true;
  private json: Buffer[] = [];
  private jsonBytes = 0;
  private jsonHead = '';
  private jsonTail = '';
  private finished = false;
  private finishing: Promise<Buffer | undefined> | undefined;

  constructor(
    private readonly o: StreamObserverOptions,
    private readonly sink: StreamSink,
  ) {
    this.strip = o.strip && o.sse && o.codings.length === 0;
    this.parser = new SseParser({ maxEventBytes: o.maxEventBytes, raw: this.strip });
    if (o.sse && !this.strip) this.blocks = new SseBlockReader(o.maxEventBytes);
    if (o.codings.length > 0) this.decoder = new StreamDecoder(o.codings, (d) => this.parse(d));
    if (o.strip && !this.strip) sink.onProblem(`cannot strip the injected usage chunk from a ${o.sse ? o.codings.join('+') : 'non-SSE'} body; the client sees it`);
  }

  /** One client chunk; returns the bytes to send instead (strip mode), else undefined (unchanged). */
  onChunk(chunk: Buffer): Buffer | undefined {
    if (this.finished) return undefined;
    if (this.decoder) {
      this.decoder.write(chunk);
      return undefined;
    }
    if (!this.strip) {
      this.parse(chunk);
      return undefined;
    }
    return this.emit(this.parser.feedFrames(chunk));
  }

  /**
   * The stream ended (cleanly, or the client left): parse what is left. Returns the held-back bytes to append (strip
   * mode) to the first caller; later calls wait for the same work and get nothing.
   */
  finish(): Promise<Buffer | undefined> {
    if (this.finishing) return this.finishing.then(() => undefined);
    this.finishing = this.doFinish();
    return this.finishing;
  }

  private async doFinish(): Promise<Buffer | undefined> {
    if (this.decoder) {
      await this.decoder.end();
      if (this.decoder.error) this.sink.onProblem('cannot decompress the response for usage parsing', this.decoder.error);
    }
    this.finished = true;
    if (!this.o.sse) {
      this.endJson();
      return undefined;
    }
    if (this.blocks !== undefined) for (const block of this.blocks.end()) this.valueOf(parseSseBlock(block)?.data);
    const out = this.emit(this.parser.endFrames({ dispatchIncomplete: true }));
    return this.strip && out.length > 0 ? out : undefined;
  }

  private parse(bytes: Buffer): void {
    if (!this.o.sse) {
      this.collectJson(bytes);
      return;
    }
    if (this.blocks === undefined) {
      for (const frame of this.parser.feedFrames(bytes)) this.valueOf(frame.event?.data);
      return;
    }
    const blocks = this.blocks.feed(bytes);
    if (blocks.length === 0) return;
    const scan = new ChunkUsageScan(bytes);
    for (const raw of blocks) {
      // Only events that may carry usage are parsed (the response's model comes with its usage; without usage the
      // held events are parsed at the end). Until the first data event, events are read for its timestamp only,
      // without JSON.parse.
      if (scan.mayHold(raw)) {
        this.valueOf(parseSseBlock(raw)?.data);
        continue;
      }
      if (this.first) this.noteData(parseSseBlock(raw)?.data);
      if (raw.length <= this.o.maxEventBytes) this.sink.onSkipped(raw);
    }
  }

  private emit(frames: SseFrame[]): Buffer {
    const out: Buffer[] = [];
    for (const frame of frames) {
      const value = this.valueOf(frame.event?.data);
      if (this.strip) out.push(frame.event ? stripInjectedUsage(frame.raw, value) : frame.raw);
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** The first data event's time, without parsing it. */
  private noteData(data: string | undefined): void {
    if (data === undefined || data === '' || !this.first) return;
    this.first = false;
    this.sink.onFirstData();
  }

  /** Parses an event's data as JSON and hands it on; returns the value for stripping. */
  private valueOf(data: string | undefined): unknown {
    if (data === undefined || data === '') return undefined;
    if (this.first) {
      this.first = false;
      this.sink.onFirstData();
    }
    const c = data.charCodeAt(0);
    if (c !== 0x7b /* { */ && c !== 0x5b /* [ */) return undefined; // [DONE] and other sentinels
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return undefined; // not JSON: not ours to judge; the client gets it untouched
    }
    this.sink.onValue(value);
    return value;
  }

  /** Non-SSE streamed body (a JSON answer without Content-Length, Gemini's JSON-array stream): bounded collection. */
  private collectJson(bytes: Buffer): void {
    if (this.first) {
      this.first = false;
      this.sink.onFirstData();
    }
    this.jsonBytes += bytes.length;
    if (this.jsonBytes <= this.o.maxEventBytes) {
      this.json.push(Buffer.from(bytes));
      return;
    }
    if (this.json.length > 0) {
      const text = Buffer.concat(this.json).toString('utf8');
      this.jsonHead = text.slice(0, TAIL_CHARS);
      this.jsonTail = text.slice(-TAIL_CHARS);
      this.json = [];
    }
    this.jsonTail = (this.jsonTail + bytes.toString('utf8')).slice(-TAIL_CHARS);
  }

  private endJson(): void {
    if (this.jsonBytes === 0) return;
    if (this.json.length === 0) {
      this.sink.onTail(usageFromTail(this.jsonTail, this.jsonHead));
      return;
    }
    try {
      this.sink.onValue(JSON.parse(Buffer.concat(this.json).toString('utf8')));
    } catch (err) {
      this.sink.onProblem('the streamed response body is not JSON', err);
    }
    this.json = [];
  }
}
