// The AWS event stream framing (application/vnd.amazon.eventstream) of ConverseStream answers → events for the
// decoder. A message: total length (u32 BE), headers length (u32), prelude CRC32 (of those 8 bytes), headers, payload,
// message CRC32 (of everything before it). Headers name the message: `:message-type` event | exception | error,
// `:event-type` (messageStart, contentBlockDelta, ...) or `:exception-type` (throttlingException, ...). Each message
// becomes an SseEvent whose data is the AWS SDK's union shape, `{"<eventType>": payload}`, so usage and errors read
// the same whatever the framing. A CRC mismatch or a malformed frame is a bad provider response (502).
import { crc32 } from 'node:zlib';
import { type SseEvent } from '../../../core/index.js';
import { badProviderResponse, type StreamEventReader } from '../../../core/llm/index.js';

const PRELUDE = 12;
const MIN_MESSAGE = PRELUDE + 4;
/** Bedrock caps a message well below this; a larger length is a corrupt prelude, not a message to wait for. */
const MAX_MESSAGE = 16 * 1024 * 1024;

export type HeaderValue = string | number | boolean | bigint | Buffer;

/** Decodes one message's header block (every type the framing defines; Bedrock sends strings). */
export function decodeHeaders(buf: Buffer, provider: string): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  let i = 0;
  const need = (n: number): void => {
    if (i + n > buf.length) throw badProviderResponse(provider, 'an event stream header runs past its block');
  };
  while (i < buf.length) {
    need(1);
    const nameLength = buf.readUInt8(i++);
    need(nameLength + 1);
    const name = buf.toString('utf8', i, i + nameLength);
    i += nameLength;
    const type = buf.readUInt8(i++);
    let value: HeaderValue;
    switch (type) {
      case 0: value = true; break;
      case 1: value = false; break;
      case 2: need(1); value = buf.readInt8(i); i += 1; break;
      case 3: need(2); value = buf.readInt16BE(i); i += 2; break;
      case 4: need(4); value = buf.readInt32BE(i); i += 4; break;
      case 5: case 8: need(8); value = buf.readBigInt64BE(i); i += 8; break;
      case 6: case 7: {
        need(2);
        const len = buf.readUInt16BE(i);
        i += 2;
        need(len);
        value = type === 7 ? buf.toString('utf8', i, i + len) : Buffer.from(buf.subarray(i, i + len));
        i += len;
        break;
      }
      case 9: need(16); value = Buffer.from(buf.subarray(i, i + 16)); i += 16; break;
      default: throw badProviderResponse(provider, `an event stream header has the unknown type ${type}`);
    }
    out[name] = value;
  }
  return out;
}

export interface EventStreamMessage {
  headers: Record<string, HeaderValue>;
  payload: Buffer;
}

/** Bytes in, whole messages out (a message may be split across chunks anywhere, several may share a chunk). */
export class EventStreamDecoder {
  #buf: Buffer = Buffer.alloc(0);
  readonly #provider: string;
  /** A bad message after good ones in the same chunk: the good ones go out first, the error on the next call. */
  #error: unknown;

  constructor(provider: string) {
    this.#provider = provider;
  }

  /** Bytes of an unfinished message still held. */
  get pending(): number {
    return this.#buf.length;
  }

  feed(chunk: Buffer): EventStreamMessage[] {
    this.check();
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: EventStreamMessage[] = [];
    try {
      this.#cut(out);
    } catch (err) {
      if (out.length === 0) throw err;
      this.#error = err;
    }
    return out;
  }

  /** Throws the error held back by the last feed, if any. */
  check(): void {
    if (this.#error === undefined) return;
    const err = this.#error;
    this.#error = undefined;
    throw err;
  }

  #cut(out: EventStreamMessage[]): void {
    while (this.#buf.length >= PRELUDE) {
      const total = this.#buf.readUInt32BE(0);
      const headersLength = this.#buf.readUInt32BE(4);
      if (crc32(this.#buf.subarray(0, 8)) !== this.#buf.readUInt32BE(8)) throw badProviderResponse(this.#provider, 'an event stream prelude CRC does not match');
      if (total < MIN_MESSAGE || total > MAX_MESSAGE || headersLength > total - MIN_MESSAGE) {
        throw badProviderResponse(this.#provider, `an event stream message has an impossible length (${total}, headers ${headersLength})`);
      }
      if (this.#buf.length < total) break;
      const message = this.#buf.subarray(0, total);
      this.#buf = this.#buf.subarray(total);
      if (crc32(message.subarray(0, total - 4)) !== message.readUInt32BE(total - 4)) throw badProviderResponse(this.#provider, 'an event stream message CRC does not match');
      out.push({
        headers: decodeHeaders(message.subarray(PRELUDE, PRELUDE + headersLength), this.#provider),
        payload: message.subarray(PRELUDE + headersLength, total - 4),
      });
    }
  }
}

/** A message → the event the decoder reads: `{"<eventType>": payload}`; exceptions too, named by `:exception-type`. */
export function eventOf(m: EventStreamMessage, provider: string): SseEvent {
  const kind = m.headers[':message-type'];
  const name = kind === 'exception' ? m.headers[':exception-type'] : kind === 'error' ? m.headers[':error-code'] : m.headers[':event-type'];
  if (typeof name !== 'string' || name === '') throw badProviderResponse(provider, `an event stream message of type ${String(kind)} has no name`);
  let payload: unknown = {};
  const text = m.payload.toString('utf8');
  if (kind === 'error') payload = { message: typeof m.headers[':error-message'] === 'string' ? m.headers[':error-message'] : text };
  else if (text.trim() !== '') {
    try {
      payload = JSON.parse(text);
    } catch (cause) {
      throw badProviderResponse(provider, `the payload of a ${name} event is not JSON`, cause);
    }
  }
  const event = kind === 'event' ? name : 'exception';
  return { event, data: JSON.stringify({ [name]: payload }), id: '' };
}

export function createEventStreamReader(provider: string): StreamEventReader {
  const decoder = new EventStreamDecoder(provider);
  return {
    feed: (chunk) => decoder.feed(chunk).map((m) => eventOf(m, provider)),
    // Leftover bytes are a cut message; when it cut the stream short of messageStop, the decoder's end() reports it.
    end: () => {
      decoder.check();
      return [];
    },
  };
}
