// One upstream attempt: send the request, then decide before anything reaches the client whether it succeeded.
// An event stream must yield its first byte first (an empty stream is a retryable failure) and, with retry_on
// stream_error, a first event that is not an error (reliability property 19); any other streamed body its first byte
// or its end; a small unary answer is read whole; a retryable failure's body is held (bounded) in case it becomes the
// final answer. A request that met the keep-alive race is sent once more on a new connection (property 21). The
// endpoint's secrets are scrubbed from the head and from every body byte at the source (UpstreamCall), so no path
// toward the client can see them.
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { FIRST_BYTE_TIMEOUT_CODE, classifyTransportError, filterResponseHeaders, freshConnection, timeoutError } from '../../../core/index.js';
import { holdRetryableStatus, proveStreamStarted, readFirstChunk, readUnary } from './attempt-body.js';
import { transportFailed, type AttemptControl, type AttemptResult, type AttemptSettings, type Cancelled, type Failed } from './attempt-result.js';
import { UNARY_BUFFER_LIMIT, contentLength, isEventStream } from './body-read.js';
import { framedStream } from './first-frame.js';
import type { UpstreamRequest } from './mapper.js';
import type { SecretMatcher } from './secret-scrubber.js';
import { UpstreamCall } from './upstream-call.js';

export type { AttemptControl, AttemptResult, AttemptSettings, Cancelled, Committed, Failed, RetryableStatus } from './attempt-result.js';

/**
 * One attempt, step by step: send and wait for the head, then hold a retryable status, read a small unary answer,
 * or prove an event stream started (and, with retry_on stream_error, that its first event is not an error).
 */
export function runAttempt(pool: Dispatcher, req: UpstreamRequest, scope: AttemptControl, s: AttemptSettings, secrets?: SecretMatcher): Promise<AttemptResult> {
  return sendForHead(pool, req, scope, s, secrets).then((sent) => (sent instanceof UpstreamCall ? afterHead(sent, req, scope, s, secrets) : sent));
}

/** The head is in: hold a retryable status, read a small unary answer, or prove a stream started. */
function afterHead(call: UpstreamCall, req: UpstreamRequest, scope: AttemptControl, s: AttemptSettings, secrets: SecretMatcher | undefined): AttemptResult | Promise<AttemptResult> {
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
  const starting = (sse || framed !== undefined) && ok ? proveStreamStarted(call, scope, s, status, framed) : readFirstChunk(call, scope, s, status);
  return starting.then((started): AttemptResult => (started.kind !== 'started' ? started : { kind: 'committed', status, headers, firstByteAt, body: { source: call, first: started.first, sse } }));
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
