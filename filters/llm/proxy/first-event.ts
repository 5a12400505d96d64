// The first event of a 2xx event stream, found before the proxy commits to the stream (reliability property 19): is
// it an error the provider sent with a 200 (Anthropic `{"type":"error"}`, OpenAI `{"error":{…}}`, `event: error`)?
// Pure: bytes in, a verdict out. Line ends, fields, comments and the BOM follow the WHATWG SSE parsing rules.

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
const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const BOM = [0xef, 0xbb, 0xbf];
const ERROR = Buffer.from('error');
const MESSAGE_LIMIT = 500;

/**
 * Finds the end of the first event in bytes pushed chunk by chunk, without decoding them: one pass over the bytes of
 * the first event only, resumable across chunks (an event split over TCP writes), no copy until bytes() is asked.
 * A block of comments (`: ping`), `id:` or `retry:` lines dispatches no event and is skipped, as a browser would.
 */
export class FirstEventReader {
  #chunks: Buffer[] = [];
  #size = 0;
  /** Bytes of a leading BOM matched so far; -1 once past the stream's first bytes. */
  #bom = 0;
  #lineLen = 0;
  /** The current line's field name, collected while it can still be `data` or `event`; undefined once it cannot. */
  #name: string | undefined = '';
  /** The field name ended at a colon; the rest of the line is its value. */
  #named = false;
  /** The previous byte was a CR: an LF right after it belongs to the same line end. */
  #cr = false;
  /** The current block has a `data` or `event` field, so a blank line dispatches it. */
  #hasField = false;
  /** Offset just past the first event's blank line (or the end of input); -1 until found. */
  #end = -1;
  /** end() was called: no more bytes will come. */
  #ended = false;
  /** Whether "error" occurs before #end, when the quick pass found the end; undefined otherwise. */
  #mentionsError: boolean | undefined;

  get size(): number {
    return this.#size;
  }

  /** Adds the next chunk; true once the first event is complete (later chunks are only kept). */
  push(chunk: Buffer): boolean {
    this.#chunks.push(chunk);
    const base = this.#size;
    this.#size += chunk.length;
    if (this.#end >= 0) return true;
    if (base === 0 && this.#quickEnd(chunk)) return true;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#bom >= 0) {
        if (b === BOM[this.#bom]) {
          if (++this.#bom === 3) this.#bom = -1;
          continue;
        }
        // A partial BOM was ordinary line content after all.
        if (this.#bom > 0) {
          this.#lineLen += this.#bom;
          this.#name = undefined;
        }
        this.#bom = -1;
      }
      if (this.#cr) {
        this.#cr = false;
        if (b === LF) continue;
      }
      if (b === LF || b === CR) {
        this.#cr = b === CR;
        if (this.#lineLen === 0) {
          if (this.#hasField) {
            this.#end = base + i + 1;
            return true;
          }
        } else if (this.#name === 'data' || this.#name === 'event') {
          this.#hasField = true;
        }
        this.#lineLen = 0;
        this.#name = '';
        this.#named = false;
        continue;
      }
      if (this.#name !== undefined && !this.#named) {
        // A line starting with a colon is a comment.
        if (b === COLON) {
          if (this.#lineLen === 0) this.#name = undefined;
          else this.#named = true;
        } else if (this.#name.length >= 5) this.#name = undefined;
        else this.#name += String.fromCharCode(b);
      }
      this.#lineLen++;
    }
    return false;
  }

  /**
   * The usual first chunk in one tight pass (cheaper than the field loop or native searches, whose call costs more
   * than a first event's scan): it opens with a `data:` or `event:` line, so its block is an event, and uses LF line
   * ends, so the first "\n\n" ends it. Whether "error" occurs in it is noted on the way.
   */
  #quickEnd(chunk: Buffer): boolean {
    if (!(startsWith(chunk, 'data:') || startsWith(chunk, 'event:'))) return false;
    let mentions = false;
    for (let i = 1, n = chunk.length - 1; i < n; i++) {
      const b = chunk[i];
      if (b === LF) {
        if (chunk[i + 1] !== LF) continue;
        this.#end = i + 2;
        this.#mentionsError = mentions;
        return true;
      }
      if (b === CR) return false;
      // "error": tested at its first "r" only, so the usual byte costs two comparisons.
      if (b === 0x72 && !mentions && chunk[i - 1] === 0x65 && chunk[i + 1] === 0x72 && chunk[i + 2] === 0x6f && chunk[i + 3] === 0x72) mentions = true;
    }
    return false;
  }

  /** The input ended: an unterminated event still counts (an upstream may write its error and close at once). */
  end(): void {
    this.#ended = true;
    if (this.#end >= 0) return;
    const name = this.#name;
    if (this.#hasField || (this.#lineLen > 0 && (name === 'data' || name === 'event'))) this.#end = this.#size;
  }

  /** Every byte pushed, in order (the one chunk itself when there was only one). */
  bytes(): Buffer {
    if (this.#chunks.length === 1) return this.#chunks[0]!;
    const all = Buffer.concat(this.#chunks, this.#size);
    this.#chunks = [all];
    return all;
  }

  verdict(): FirstEventVerdict {
    if (this.#end < 0) return this.#ended ? OK : INCOMPLETE;
    // The hot path: a normal first event never mentions "error", so it is never decoded or parsed.
    if (this.#mentionsError === false) return OK;
    const bytes = this.bytes();
    const at = bytes.indexOf(ERROR);
    if (at < 0 || at + ERROR.length > this.#end) return OK;
    const message = errorOfEvent(bytes.toString('utf8', 0, this.#end));
    return message === undefined ? OK : { kind: 'error', message };
  }
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
  let event = '';
  const data: string[] = [];
  let fields = false;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (fields) break;
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
    else continue;
    fields = true;
  }
  const payload = data.join('\n');
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
