// The start of a 2xx stream in a provider's own framing (Bedrock's binary event stream), read with the codec's
// reader and decoder before the proxy commits: an exception the provider sent with a 200 before any content is a
// retryable `stream_error`, as an SSE error event is (first-event.ts). Preamble events (Bedrock's messageStart) are
// read past; the first event with content, a finish or an error decides.
import { isProviderStream, type AttemptTranslation, type HeaderMap, type StreamItem } from '../../../core/llm/index.js';
import { FIRST_EVENT_LIMIT } from './first-event.js';
import type { BodySource } from './upstream-call.js';

/** The attempt's translation when its 2xx answer is a stream in the provider's own (non-SSE) framing. */
export function framedStream(t: AttemptTranslation | undefined, headers: HeaderMap): AttemptTranslation | undefined {
  if (t === undefined || t.passthrough || !t.stream || t.provider.upstream.streamFraming === undefined) return undefined;
  return isProviderStream(t.provider, headers) ? t : undefined;
}

/** An item that says nothing yet: a chunk with only a role and empty content. */
function isPreamble(item: StreamItem): boolean {
  if (item.type !== 'chunk') return false;
  return item.chunk.choices.every((c) => c.finish_reason === null && c.delta.tool_calls === undefined && (c.delta.content === undefined || c.delta.content === '' || c.delta.content === null));
}

/**
 * Reads from `first` on until an event with content, a finish or an error (at most FIRST_EVENT_LIMIT bytes, or the
 * end); every byte read is returned to be sent first. Framing the reader cannot cut is left to the translator.
 */
export async function readFirstFramedEvent(source: BodySource, first: Buffer, t: AttemptTranslation): Promise<{ bytes: Buffer; error?: string }> {
  const reader = t.provider.upstream.streamFraming!.createReader();
  const decoder = t.provider.upstream.createDecoder(t.context);
  const chunks: Buffer[] = [first];
  let size = first.length;
  const bytes = (): Buffer => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  for (let chunk = first; ; ) {
    let decided = false;
    try {
      for (const ev of reader.feed(chunk)) {
        for (const item of decoder.write(ev)) {
          if (item.type === 'error') return { bytes: bytes(), error: item.error.message };
          if (!isPreamble(item)) decided = true;
        }
        if (decided) break;
      }
    } catch {
      return { bytes: bytes() };
    }
    if (decided || size >= FIRST_EVENT_LIMIT) return { bytes: bytes() };
    const r = await source.next();
    if (r.done) return { bytes: bytes() };
    chunk = r.value;
    chunks.push(chunk);
    size += chunk.length;
  }
}
