// The first event of a 2xx event stream, found before the proxy commits to the stream (reliability property 19): is
// it an error the provider sent with a 200 (Anthropic `{"type":"error"}`, OpenAI `{"error":{…}}`, `event: error`)?
// Pure: bytes in, a verdict out, read with the one core SSE parser.
import { SseParser, type SseFrame } from '../../../core/index.js';

/** Bytes held to find the end of the first event; past this the stream is committed unchecked. */
export const FIRST_EVENT_LIMIT = 64 * 1024;

export type FirstEventVerdict =
  /** The first event has not ended yet (more bytes are needed). */
  | { kind: 'incomplete' }
  /** The first event ended and is not an error, or the input ended without an event. */
  | { kind: 'ok' }
  /** The first event is an error; `message` is what the upstream said (type and message), at most ~500 chars. */
  | { kind: 'error'; message: string };

const OK: FirstEventVerdict = Object.freeze({ kind: 'ok' });
const INCOMPLETE: FirstEventVerdict = Object.freeze({ kind: 'incomplete' });
const CR = 0x0d;
const BLANK_LINE = Buffer.from('\n\n');
const ERROR = Buffer.from('error');
const MESSAGE_LIMIT = 500;

/**
 * Finds the first event in bytes pushed chunk by chunk with the core WHATWG parser, fed only up to the first event's
 * blank line. The usual first block — LF-framed, opening with `data:` or `event:`, never mentioning "error" — is an
 * event that is not an error without being parsed at all. Blocks of comments (`: ping`), `id:` or `retry:` lines
 * dispatch no event and are skipped, as a browser would; an `event: error` block counts even without data.
 */
export class FirstEventReader {
  #chunks: Buffer[] = [];
  #size = 0;
  readonly #parser = new SseParser({ maxEventBytes: FIRST_EVENT_LIMIT });
  #first: { event: string; data: string } | undefined;
  /** The first event was found (#first unset: it is not an error, known without parsing). */
  #done = false;
  #ended = false;

  get size(): number {
    return this.#size;
  }

  /** Adds the next chunk; true once the first event is complete (later chunks are only kept). */
  push(chunk: Buffer): boolean {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.#done) return true;
    let part = chunk;
    while (part.length > 0) {
      const cut = part.indexOf(CR) === -1 ? part.indexOf(BLANK_LINE) : -1;
      if (cut === -1) return this.#feed(part);
      const head = part.subarray(0, cut + 2);
      if (this.#parser.pendingBytes === 0 && opensEvent(head) && head.indexOf(ERROR) === -1) return (this.#done = true);
      if (this.#feed(head)) return true;
      part = part.subarray(cut + 2);
    }
    return false;
  }

  #feed(bytes: Buffer): boolean {
    for (const f of this.#parser.feedFrames(bytes)) if (this.#take(f)) return true;
    return false;
  }

  #take(f: SseFrame): boolean {
    if (f.event !== undefined) this.#first = { event: f.event.event, data: f.event.data };
    else if (f.typeOnly !== undefined) this.#first = { event: f.typeOnly, data: '' };
    else return false;
    return (this.#done = true);
  }

  /** The input ended: an unterminated event still counts (an upstream may write its error and close at once). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#done) return;
    for (const f of this.#parser.endFrames({ dispatchIncomplete: true })) if (this.#take(f)) return;
  }

  /** Every byte pushed, in order (the one chunk itself when there was only one). */
  bytes(): Buffer {
    if (this.#chunks.length === 1) return this.#chunks[0]!;
    const all = Buffer.concat(this.#chunks, this.#size);
    this.#chunks = [all];
    return all;
  }

  verdict(): FirstEventVerdict {
    if (!this.#done) return this.#ended ? OK : INCOMPLETE;
    const first = this.#first;
    if (first === undefined) return OK;
    const message = errorOf(first.event, first.data);
    return message === undefined ? OK : { kind: 'error', message };
  }
}

function opensEvent(block: Buffer): boolean {
  return startsWith(block, 'data:') || startsWith(block, 'event:');
}

function startsWith(chunk: Buffer, ascii: string): boolean {
  if (chunk.length < ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (chunk[i] !== ascii.charCodeAt(i)) return false;
  return true;
}

/** The verdict on one buffer holding the start of a stream (`ended`: nothing follows it). */
export function inspectFirstEvent(buf: Buffer, ended = false): FirstEventVerdict {
  const reader = new FirstEventReader();
  reader.push(buf);
  if (ended) reader.end();
  return reader.verdict();
}

/**
 * The error message when the first event of `text` (the start of a stream) is an error, else undefined:
 * `event: error`, or JSON data whose top-level `type` is "error" or whose top-level `error` is an object.
 */
export function errorOfEvent(text: string): string | undefined {
  const reader = new FirstEventReader();
  reader.push(Buffer.from(text));
  reader.end();
  const v = reader.verdict();
  return v.kind === 'error' ? v.message : undefined;
}

function errorOf(event: string, payload: string): string | undefined {
  const json = parseObject(payload);
  const isError = event === 'error' || (json !== undefined && (json['type'] === 'error' || isObject(json['error'])));
  return isError ? describe(json, payload) : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseObject(payload: string): Record<string, unknown> | undefined {
  if (!payload.trimStart().startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(payload);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** "overloaded_error: Overloaded" from the provider's error object; the raw data when it is not JSON. */
function describe(json: Record<string, unknown> | undefined, payload: string): string {
  const err = isObject(json?.['error']) ? (json['error'] as Record<string, unknown>) : json;
  const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  const type = str(err?.['type']) || str(err?.['code']) || (typeof json?.['error'] === 'string' ? json['error'] : '');
  const message = str(err?.['message']) || str(json?.['message']);
  const text = type && message ? `${type}: ${message}` : type || message || payload.trim() || 'no details';
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}…` : text;
}
