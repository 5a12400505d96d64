// Writes ctx.response to the client: unary bodies with an exact Content-Length; streamed bodies chunk by chunk with
// backpressure (race 'drain' against 'close'), each chunk written as it comes, through the filters' onChunk hooks.
// A stream that fails mid-way destroys the connection (no clean terminating chunk), so clients see the error; a
// chunk hook that throws first writes the renderer's error frame. A client that reads nothing for `writeIdleMs` is cut.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { MaybePromise } from '../plugin-api.js';
import type { RequestContext } from '../request-api.js';
import type { ChainSlot } from '../chain/chain.js';
import { DgpError } from '../errors.js';
import { HOP_BY_HOP_HEADERS, nominatedHeaders } from './hop-by-hop.js';

const EMPTY = Buffer.alloc(0);

export interface WriteOptions {
  /** The frame that ends a stream cut by a failing chunk hook, in the client's API (LocalReplies.renderStreamError). */
  renderStreamError?(err: DgpError): Buffer | undefined;
  /** ms, 0 = none: how long a full socket buffer may wait for the client to read before the stream is cut. */
  writeIdleMs?: number;
  /** Given every streamed byte written to the client (the audit record's response body). */
  capture?: { add(chunk: Buffer): void } | undefined;
}

export interface WriteResult {
  bytes: number;
  /** Set when the stream failed after headers were sent. */
  error?: unknown;
}

/** Synchronous for a unary body (written in one end()); a promise while a streamed body is pumped. */
export function writeResponse(
  ctx: RequestContext,
  res: ServerResponse,
  chunkSlots: readonly ChainSlot[],
  closeConnection: boolean,
  opts: WriteOptions = {},
): WriteResult | Promise<WriteResult> {
  const { response } = ctx;
  const body = response.body;
  if (ctx.aborted || res.destroyed) return discard(body).then(() => ({ bytes: 0 }));
  const streamed = body !== undefined && !Buffer.isBuffer(body);
  // One header object and one writeHead: cheaper than a validated setHeader call per header.
  const headers: OutgoingHttpHeaders = {};
  const src = response.headers;
  // Connection-specific fields are never forwarded from an upstream or set by a filter: node:http owns this hop.
  const nominated = nominatedHeaders(src);
  for (const name in src) {
    if (HOP_BY_HOP_HEADERS.has(name) || nominated.has(name)) continue;
    if (streamed && chunkSlots.length && name === 'content-length') continue;
    headers[name] = src[name];
  }
  headers['x-request-id'] = ctx.id;
  if (closeConnection) headers.connection = 'close';
  if (!streamed) {
    const buf = body ?? EMPTY;
    headers['content-length'] = buf.length;
    res.writeHead(response.status, headers);
    res.end(buf);
    return { bytes: buf.length };
  }
  res.writeHead(response.status, headers);
  return pump(ctx, res, body, chunkSlots, opts);
}

async function pump(
  ctx: RequestContext,
  res: ServerResponse,
  body: AsyncIterable<Buffer>,
  slots: readonly ChainSlot[],
  opts: WriteOptions,
): Promise<WriteResult> {
  let bytes = 0;
  let hook: { kind: string; name: string } | undefined;
  const idleMs = opts.writeIdleMs ?? 0;
  // No flushHeaders(): the head leaves with the first chunk in one write instead of a syscall of its own (7% of the
  // CPU on short streams). The proxy commits to a stream only once its first byte is in hand, so it is not late.
  const iterator = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (ctx.aborted || res.destroyed) {
        await iterator.return?.();
        return { bytes };
      }
      const next = await iterator.next();
      if (next.done) break;
      let chunk: Buffer | undefined = next.value;
      for (let i = 0; i < slots.length && chunk && chunk.length; i++) {
        const fn = slots[i]!.filter.onChunk;
        if (!fn) continue;
        hook = { kind: slots[i]!.kind, name: 'onChunk' };
        // Awaited only when the hook returned a promise: an await per chunk and hook is a turn of the microtask queue.
        let out: MaybePromise<Buffer | void | undefined> = fn.call(slots[i]!.filter, ctx, chunk);
        if (out !== undefined && !Buffer.isBuffer(out)) out = await out;
        if (out !== undefined) chunk = out;
      }
      hook = undefined;
      if (chunk && chunk.length) {
        bytes += chunk.length;
        opts.capture?.add(chunk);
        if (!res.write(chunk)) await drained(res, idleMs);
      }
    }
    for (const slot of slots) {
      if (!slot.filter.onStreamEnd) continue;
      hook = { kind: slot.kind, name: 'onStreamEnd' };
      const tail = await slot.filter.onStreamEnd(ctx);
      hook = undefined;
      if (tail && tail.length && !res.destroyed) {
        bytes += tail.length;
        opts.capture?.add(tail);
        if (!res.write(tail)) await drained(res, idleMs);
      }
    }
    res.end();
    return { bytes };
  } catch (error) {
    if (error instanceof SlowReader) {
      // The client is not reading: nothing more can reach it. Destroying the response aborts the request (ctx.signal,
      // so the proxy cancels its upstream) before the body's producer is told to stop.
      res.destroy();
      if (!ctx.aborted) await closedOrSoon(res);
      await Promise.resolve(iterator.return?.()).catch(() => undefined);
      return { bytes, error: error.err };
    }
    await Promise.resolve(iterator.return?.()).catch(() => undefined);
    let err = error;
    if (hook !== undefined && !res.destroyed) {
      err = new DgpError('DGP_ERR_HTTP_FILTER_FAILED', `filter ${hook.kind} failed in ${hook.name}; see the gateway log for request ${ctx.id}`, { cause: error });
      ctx.log.error({ err: error, kind: hook.kind, hook: hook.name }, `${hook.kind} ${hook.name} threw; the stream ends with an error event`);
      const frame = opts.renderStreamError?.(err as DgpError);
      if (frame !== undefined && frame.length) {
        bytes += frame.length;
        opts.capture?.add(frame);
        res.write(frame);
      }
    }
    // Abrupt end: the client must not mistake a cut stream for a complete one; but what was already written (e.g.
    // an SSE error event) must reach it first, so let the socket flush before closing it without the final chunk.
    await flushed(res);
    res.destroy();
    return { bytes, error: err };
  }
}

function closedOrSoon(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Thrown out of drained() when the client has not read for writeIdleMs. */
class SlowReader extends Error {
  constructor(readonly err: DgpError) {
    super(err.message);
  }
}

async function flushed(res: ServerResponse): Promise<void> {
  const sock = res.socket;
  if (!sock || sock.destroyed) return;
  if (sock.writableLength > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 1000);
      function done(): void {
        clearTimeout(timer);
        sock!.off('drain', done);
        sock!.off('close', done);
        resolve();
      }
      sock.on('drain', done);
      sock.on('close', done);
    });
  }
  await new Promise((r) => setImmediate(r));
}

function drained(res: ServerResponse, idleMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = idleMs > 0 ? setTimeout(expired, idleMs) : undefined;
    function done(): void {
      if (timer) clearTimeout(timer);
      res.off('drain', ok);
      res.off('close', ok);
    }
    function ok(): void {
      done();
      resolve();
    }
    function expired(): void {
      done();
      reject(new SlowReader(new DgpError('DGP_ERR_HTTP_SLOW_READER', `the client read nothing for ${idleMs} ms (listener idle_timeout); stream closed`)));
    }
    res.on('drain', ok);
    res.on('close', ok);
  });
}

async function discard(body: RequestContext['response']['body']): Promise<void> {
  if (body === undefined || Buffer.isBuffer(body)) return;
  try {
    await body[Symbol.asyncIterator]().return?.();
  } catch {
    // the upstream side is being torn down anyway
  }
}
