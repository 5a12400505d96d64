// The body phase of an upstream attempt: once the head is in, decide before anything reaches the client whether the
// attempt succeeded — hold a retryable status's body, read a small unary answer whole, or prove a stream started
// (its first byte, and with retry_on stream_error a first event that is not an error).
import { classifyTransportError } from '../../../core/index.js';
import type { AttemptTranslation } from '../../../core/llm/index.js';
import { transportFailed, type AttemptControl, type AttemptResult, type AttemptSettings, type Cancelled, type Failed, type RetryableStatus } from './attempt-result.js';
import { FAILED_BODY_LIMIT, UNARY_BUFFER_LIMIT } from './body-read.js';
import { FIRST_EVENT_LIMIT, FirstEventReader } from './first-event.js';
import { readFirstFramedEvent } from './first-frame.js';
import type { BodySource, UpstreamCall } from './upstream-call.js';

/** A status retry_on covers: its body is held (bounded) in case it becomes the final answer. */
export async function holdRetryableStatus(
  call: UpstreamCall,
  scope: AttemptControl,
  status: number,
  headers: Record<string, string | string[]>,
  firstByteAt: number,
): Promise<RetryableStatus | Cancelled> {
  const held = await call.collect(FAILED_BODY_LIMIT);
  // undici frees the socket a tick after the body ends; a retry dispatched sooner would open a second socket.
  await new Promise(setImmediate);
  if (scope.cancelledBy() !== undefined) return { kind: 'cancelled', status };
  return { kind: 'status', status, headers, body: held.body, firstByteAt };
}

/**
 * A small unary answer with a Content-Length, read whole before anything reaches the client. One reaction on the
 * collected body, not an async frame of its own (the proxy's nested frames were a visible share of a request).
 */
export function readUnary(
  call: UpstreamCall,
  scope: AttemptControl,
  s: AttemptSettings,
  status: number,
  headers: Record<string, string | string[]>,
  firstByteAt: number,
): Promise<AttemptResult> {
  return call.collect(UNARY_BUFFER_LIMIT).then((held): AttemptResult => {
    if (scope.cancelledBy() !== undefined) return { kind: 'cancelled', status };
    // A unary answer cut before its Content-Length arrived reached nobody yet: a transport failure, retry-safe.
    if (held.error !== undefined) return transportFailed(classifyTransportError(held.error), s.retryOn, status);
    return { kind: 'committed', status, headers, body: held.body, firstByteAt };
  });
}

/**
 * A 2xx event stream must yield a first byte (an empty stream is a retryable failure) and, with retry_on
 * stream_error, a first event that is not an error. Returns the bytes read so far, to be sent first.
 */
export async function proveStreamStarted(
  call: UpstreamCall,
  scope: AttemptControl,
  s: AttemptSettings,
  status: number,
  framed?: AttemptTranslation,
): Promise<{ kind: 'started'; first: Buffer } | Failed | Cancelled> {
  let first: Buffer | undefined;
  let streamError: string | undefined;
  try {
    // Skip zero-length chunks: only a real byte proves the stream started.
    for (let r = await call.next(); !r.done; r = await call.next()) {
      if (r.value.length > 0) {
        first = r.value;
        break;
      }
    }
    if (first !== undefined && s.retryOn.streamError && framed !== undefined) {
      const read = await readFirstFramedEvent(call, first, framed);
      first = read.bytes;
      streamError = read.error;
    } else if (first !== undefined && s.retryOn.streamError) {
      // Usually the first chunk holds the whole first event: no await, no copy (first-event.ts).
      const reader = new FirstEventReader();
      if (!reader.push(first)) await readFirstEvent(call, reader);
      first = reader.bytes();
      const verdict = reader.verdict();
      if (verdict.kind === 'error') streamError = verdict.message;
    }
  } catch (err) {
    call.destroy();
    if (scope.cancelledBy() !== undefined) return { kind: 'cancelled', status };
    return transportFailed(classifyTransportError(err), s.retryOn, status);
  }
  if (first === undefined) {
    call.destroy();
    const message = 'the upstream answered with an event stream that ended without a byte';
    return { kind: 'failed', status, errorType: 'empty_stream', retryable: s.retryOn.emptyStream, timedOut: false, message };
  }
  if (streamError !== undefined) {
    call.destroy();
    // Strategy lists `message` in the final error when every attempt fails: the upstream's words (already scrubbed).
    return { kind: 'failed', status, errorType: 'stream_error', retryable: true, timedOut: false, message: `the upstream stream began with an error event: ${streamError}` };
  }
  return { kind: 'started', first };
}

/**
 * Any other streamed body (chunked, or larger than UNARY_BUFFER_LIMIT) must yield its first byte, or end, before
 * commit: a body that fails first (a broken chunk, a reset) has reached nobody, so it is a failed attempt — not a
 * response head followed by a cut, which would leave the client with no answer at all. undefined: an empty body.
 */
export async function readFirstChunk(call: UpstreamCall, scope: AttemptControl, s: AttemptSettings, status: number): Promise<{ kind: 'started'; first: Buffer | undefined } | Failed | Cancelled> {
  try {
    for (let r = await call.next(); !r.done; r = await call.next()) if (r.value.length > 0) return { kind: 'started', first: r.value };
    return { kind: 'started', first: undefined };
  } catch (err) {
    call.destroy();
    if (scope.cancelledBy() !== undefined) return { kind: 'cancelled', status };
    return transportFailed(classifyTransportError(err), s.retryOn, status);
  }
}

/**
 * Reads on until the first SSE event is complete, at most FIRST_EVENT_LIMIT bytes (past it, or when the stream ends
 * first, the stream is committed as it is); the idle timer bounds each wait. The reader keeps every byte read, so a
 * stream that is not an error reaches the client byte-identical.
 */
async function readFirstEvent(source: BodySource, reader: FirstEventReader): Promise<void> {
  while (reader.size < FIRST_EVENT_LIMIT) {
    const r = await source.next();
    if (r.done) return reader.end();
    if (reader.push(r.value)) return;
  }
}
