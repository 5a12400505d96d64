// One upstream attempt: send the request, then decide before anything reaches the client whether it succeeded.
// An event stream must yield its first byte first (an empty stream is a retryable failure) and, with retry_on
// stream_error, a first event that is not an error (reliability property 19); any other streamed body its first byte
// or its end; a small unary answer is read whole; a retryable failure's body is held (bounded) in case it becomes the
// final answer. A request that met the keep-alive race is sent once more on a new connection (property 21). The
// endpoint's secrets are scrubbed from the head and from every body byte at the source (UpstreamCall), so no path
// toward the client can see them.
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import {
  FIRST_BYTE_TIMEOUT_CODE,
  classifyTransportError,
  filterResponseHeaders,
  freshConnection,
  timeoutError,
  type TransportFailure,
} from '../../../core/index.js';
import { FAILED_BODY_LIMIT, UNARY_BUFFER_LIMIT, contentLength, isEventStream } from './body-read.js';
import type { UpstreamRequest } from './mapper.js';
import type { AttemptTranslation } from '../../../core/llm/index.js';
import { FIRST_EVENT_LIMIT, FirstEventReader } from './first-event.js';
import { framedStream, readFirstFramedEvent } from './first-frame.js';
import type { RetryOn } from './retry-on.js';
import type { SecretMatcher } from './secret-scrubber.js';
import { UpstreamCall, type BodySource } from './upstream-call.js';

export interface AttemptSettings {
  firstByteTimeout: number;
  idleTimeout: number;
  retryOn: RetryOn;
}

/** A response the proxy can hand to the client: a 2xx, or a status retry_on does not cover. */
export interface Committed {
  kind: 'committed';
  status: number;
  headers: Record<string, string | string[]>;
  firstByteAt: number;
  /** A Buffer, or the open body and the first chunk already read from it. */
  body: Buffer | { source: BodySource; first: Buffer | undefined; sse: boolean };
}

/** A status retry_on covers; the body is held so the last one can be returned when every attempt fails. */
export interface RetryableStatus {
  kind: 'status';
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  firstByteAt: number;
}

export interface Failed {
  kind: 'failed';
  /** Status of the response head when one arrived (e.g. a 200 whose stream was empty or reset), else 0. */
  status: number;
  errorType: 'connect_error' | 'network_error' | 'timeout' | 'bad_response' | 'empty_stream' | 'stream_error';
  retryable: boolean;
  timedOut: boolean;
  message: string;
}

export interface Cancelled {
  kind: 'cancelled';
  status: number;
}

export type AttemptResult = Committed | RetryableStatus | Failed | Cancelled;

function transportFailed(f: TransportFailure, retryOn: RetryOn, status = 0): Failed {
  const retryable = f.kind === 'connect_error' ? retryOn.connectError : f.kind === 'timeout' ? retryOn.timeout : retryOn.reset;
  return { kind: 'failed', status, errorType: f.kind, retryable, timedOut: f.timedOut, message: `${f.code}: ${f.message}` };
}

/** What an attempt needs from the request's AttemptScope (attempt-scope.ts). */
export interface AttemptControl {
  /** The AttemptScope aborts this call when the client goes away or the deadline passes. */
  track(call: UpstreamCall): void;
  cancelledBy(): 'client' | 'deadline' | undefined;
  /** The request met the keep-alive race and is sent again on a new connection (`code`: how the socket closed). */
  resent?(code: string): void;
}

/**
 * One attempt, step by step: send and wait for the head, then hold a retryable status, read a small unary answer,
 * or prove an event stream started (and, with retry_on stream_error, that its first event is not an error).
 */
export async function runAttempt(pool: Dispatcher, req: UpstreamRequest, scope: AttemptControl, s: AttemptSettings, secrets?: SecretMatcher): Promise<AttemptResult> {
  const sent = await sendForHead(pool, req, scope, s, secrets);
  if (!(sent instanceof UpstreamCall)) return sent;
  const call = sent;
  const firstByteAt = performance.now();
  const status = call.status;
  const raw = call.headers;
  const filtered = filterResponseHeaders(raw);
  const headers = secrets === undefined ? filtered : secrets.scrubHeaders(filtered);
  const ok = status >= 200 && status <= 299;
  if (!ok && s.retryOn.status(status)) return holdRetryableStatus(call, scope, status, headers, firstByteAt);
  const sse = isEventStream(raw);
  // A translated stream in the provider's own framing (Bedrock's event stream) is proven started like SSE.
  const framed = ok && !sse ? framedStream(req.translation, raw) : undefined;
  const length = contentLength(raw);
  if (!sse && framed === undefined && length !== undefined && length <= UNARY_BUFFER_LIMIT) return readUnary(call, scope, s, status, headers, firstByteAt);
  const started = (sse || framed !== undefined) && ok ? await proveStreamStarted(call, scope, s, status, framed) : await readFirstChunk(call, scope, s, status);
  if (started.kind !== 'started') return started;
  return { kind: 'committed', status, headers, firstByteAt, body: { source: call, first: started.first, sse } };
}

/**
 * Sends the request and waits for the response head, under our own first-byte timer: the call that has its head, or
 * a failure. A request that met the keep-alive race (a reused socket closed before any response byte; the server
 * never read it) is sent once more on a new connection, whatever the retry policy: nothing was processed, so this is
 * a resend of the same attempt, not a retry (property 21). `retry_on` without `reset` turns it off.
 */
async function sendForHead(pool: Dispatcher, req: UpstreamRequest, scope: AttemptControl, s: AttemptSettings, secrets?: SecretMatcher): Promise<UpstreamCall | Failed | Cancelled> {
  let call = new UpstreamCall(s.idleTimeout, secrets?.stream());
  // Our own first-byte timer: precise to the millisecond, where undici's headersTimeout (kept as a backstop) ticks at
  // about 1 s. Cleared as soon as the head arrives, so it never touches the body. It covers a resend too.
  let firstByteError: Error | undefined;
  const timer =
    s.firstByteTimeout > 0
      ? setTimeout(() => call.abort((firstByteError = timeoutError(FIRST_BYTE_TIMEOUT_CODE, `no response headers within ${s.firstByteTimeout} ms`))), s.firstByteTimeout)
      : undefined;
  let dispatcher: Pick<Dispatcher, 'dispatch'> = pool;
  try {
    for (let resent = false; ; resent = true) {
      scope.track(call);
      try {
        await call.start(dispatcher, dispatchOptions(req, s));
        return call;
      } catch (err) {
        if (scope.cancelledBy() !== undefined) return { kind: 'cancelled', status: 0 };
        const failure = classifyTransportError(firstByteError ?? err);
        if (resent || !s.retryOn.reset || failure.kind !== 'network_error' || !call.closedUnansweredOnReusedSocket()) return transportFailed(failure, s.retryOn);
        scope.resent?.(failure.code);
        dispatcher = freshConnection(pool) ?? pool;
        call = new UpstreamCall(s.idleTimeout, secrets?.stream());
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

function dispatchOptions(req: UpstreamRequest, s: AttemptSettings): Dispatcher.DispatchOptions {
  return {
    method: req.method as Dispatcher.HttpMethod,
    path: req.path,
    headers: req.headers,
    body: req.body ?? null,
    headersTimeout: s.firstByteTimeout,
    bodyTimeout: s.idleTimeout,
  };
}

/** A status retry_on covers: its body is held (bounded) in case it becomes the final answer. */
async function holdRetryableStatus(
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

/** A small unary answer with a Content-Length, read whole before anything reaches the client. */
async function readUnary(
  call: UpstreamCall,
  scope: AttemptControl,
  s: AttemptSettings,
  status: number,
  headers: Record<string, string | string[]>,
  firstByteAt: number,
): Promise<AttemptResult> {
  const held = await call.collect(UNARY_BUFFER_LIMIT);
  if (scope.cancelledBy() !== undefined) return { kind: 'cancelled', status };
  // A unary answer cut before its Content-Length arrived reached nobody yet: a transport failure, retry-safe.
  if (held.error !== undefined) return transportFailed(classifyTransportError(held.error), s.retryOn, status);
  return { kind: 'committed', status, headers, body: held.body, firstByteAt };
}

/**
 * A 2xx event stream must yield a first byte (an empty stream is a retryable failure) and, with retry_on
 * stream_error, a first event that is not an error. Returns the bytes read so far, to be sent first.
 */
async function proveStreamStarted(
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
async function readFirstChunk(call: UpstreamCall, scope: AttemptControl, s: AttemptSettings, status: number): Promise<{ kind: 'started'; first: Buffer | undefined } | Failed | Cancelled> {
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
