// Incremental stream translators for one attempt: upstream bytes → SSE events → pivot items → the client's stream
// bytes. Output depends only on the bytes, never on where the chunks were split (the SSE parser holds partial events).
import { createSseParser, isDgpError } from '../index.js';
import { serializeSseEvent } from '../index.js';
import type { SseEvent } from '../index.js';
import type { ClientCodec } from './client-codec.js';
import type { CodecContext, IdPrefixes, StreamDecoder, StreamEncoder } from './codec-context.js';
import type { HeaderMap, ProviderError, StreamItem } from './api.js';
import type { ProviderCodec } from './provider-codec.js';
import type { StreamEventReader } from './upstream-codec.js';
import { headerValue, isPlainObject } from './helpers.js';
import { checkChatChunk } from './pivot-check.js';
import { prefixChunkIds } from './ids.js';

export interface StreamTranslator {
  /** The next upstream chunk → bytes for the client (possibly empty while an event is incomplete). */
  feed(chunk: Buffer): Buffer;
  /** The upstream body ended cleanly → the trailing bytes (a stream cut short ends with a client-shaped error). */
  end(): Buffer;
  /** An error event in the client's stream format, for a stream the proxy has to cut (timeout, reset). */
  error(err: ProviderError): Buffer;
}

const EMPTY = Buffer.alloc(0);

/** The answer is the provider's stream framing: text/event-stream, or the codec's own (StreamFraming). */
export function isProviderStream(provider: ProviderCodec, headers: HeaderMap): boolean {
  const type = (headerValue(headers, 'content-type') ?? '').trimStart().toLowerCase();
  const framing = provider.upstream.streamFraming;
  return framing === undefined ? type.startsWith('text/event-stream') : type.startsWith(framing.contentType);
}

/** How a same-API stream is rewritten: each flag is off unless the attempt needs it. */
export interface PassthroughRewrite {
  /** A mapped model: events that name the model are re-serialised with the alias (client.relabel). */
  relabel: boolean;
  /** Usage was asked of the upstream for the gateway only: taken back out (client.unrequestStreamUsage). */
  unrequestUsage: boolean;
}

/** Same API: identity, or each event rewritten as `rewrite` says; events nothing applies to keep their bytes. */
export function passthroughStream(client: ClientCodec, cx: CodecContext, rewrite: PassthroughRewrite): StreamTranslator {
  const error = (err: ProviderError): Buffer => Buffer.from(client.createEncoder(cx).write({ type: 'error', error: err }));
  const relabelFn = rewrite.relabel ? client.relabel?.bind(client) : undefined;
  const unrequest = rewrite.unrequestUsage ? client.unrequestStreamUsage?.bind(client) : undefined;
  if (relabelFn === undefined && unrequest === undefined) return { feed: (chunk) => chunk, end: () => EMPTY, error };
  const parser = createSseParser({ raw: true });
  const frameBytes = (raw: Buffer, ev: SseEvent | undefined): Buffer => {
    if (!ev || !ev.data.startsWith('{')) return raw;
    let obj: unknown;
    try {
      obj = JSON.parse(ev.data);
    } catch {
      return raw; // Not JSON: pass the bytes on unchanged.
    }
    if (!isPlainObject(obj)) return raw;
    const bytes = unrequest === undefined ? raw : unrequest(raw, obj);
    // A relabelled event is re-serialised whole; the usage member was removed from the object already.
    if (bytes.length > 0 && relabelFn?.(obj, cx.models.reported)) {
      if (bytes !== raw) delete obj.usage;
      return Buffer.from(serializeSseEvent({ event: ev.event, data: JSON.stringify(obj) }));
    }
    return bytes;
  };
  const render = (frames: ReturnType<typeof parser.feedFrames>): Buffer => {
    const out: Buffer[] = [];
    for (const f of frames) {
      const bytes = frameBytes(f.raw, f.event);
      if (bytes.length > 0) out.push(bytes);
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  };
  return { feed: (chunk) => render(parser.feedFrames(chunk)), end: () => render(parser.endFrames()), error };
}

/**
 * Different APIs: decode the provider's events to pivot items and encode them in the client's stream format. `reader`
 * cuts a stream that is not SSE into events (StreamFraming); default: the SSE parser.
 */
export function translatedStream(
  decoder: StreamDecoder,
  encoder: StreamEncoder,
  cx: CodecContext,
  tap?: { event(ev: SseEvent): void; items(items: readonly StreamItem[]): void },
  reader?: StreamEventReader,
  idPrefixes?: IdPrefixes,
): StreamTranslator {
  const sse = reader === undefined ? createSseParser() : undefined;
  const parser: StreamEventReader = reader ?? { feed: (chunk) => sse!.feed(chunk), end: () => sse!.end({ dispatchIncomplete: true }) };
  let finished = false;

  const emit = (items: StreamItem[]): string => {
    for (const item of items) {
      if (item.type !== 'chunk') continue;
      checkChatChunk(item.chunk, cx.provider);
      prefixChunkIds(item.chunk, idPrefixes);
    }
    if (tap !== undefined && !finished) tap.items(items);
    let out = '';
    for (const item of items) {
      if (finished) break;
      out += encoder.write(item);
      // After `done` or an error nothing more is sent: later upstream bytes cannot make the stream valid again.
      if (item.type !== 'chunk') finished = true;
    }
    return out;
  };

  const guarded = (step: () => string): Buffer => {
    if (finished) return EMPTY;
    try {
      const text = step();
      return text === '' ? EMPTY : Buffer.from(text);
    } catch (err) {
      cx.log.warn({ err }, 'provider stream event could not be translated');
      // A coded error says what was wrong; anything else is a codec bug whose engine text is for the log only.
      const message = isDgpError(err) ? err.message : `The ${cx.provider} stream event could not be translated.`;
      return Buffer.from(emit([{ type: 'error', error: { status: 502, kind: 'server', message } }]));
    }
  };

  return {
    feed: (chunk) =>
      guarded(() => {
        let out = '';
        for (const ev of parser.feed(chunk)) {
          tap?.event(ev);
          out += emit(decoder.write(ev));
        }
        return out;
      }),
    end: () => {
      const body = guarded(() => {
        let out = '';
        // An unterminated last event is kept when it parses (some servers omit the final blank line); a truncated
        // one is the cut itself, which decoder.end() reports.
        for (const ev of parser.end()) {
          tap?.event(ev);
          try {
            out += emit(decoder.write(ev));
          } catch {
            cx.log.debug({ provider: cx.provider }, 'dropped a truncated last stream event');
          }
        }
        return out + emit(decoder.end());
      });
      const tail = encoder.end();
      finished = true;
      return tail === '' ? body : Buffer.concat([body, Buffer.from(tail)]);
    },
    error: (err) => {
      if (finished) return EMPTY;
      return Buffer.from(emit([{ type: 'error', error: err }]));
    },
  };
}
