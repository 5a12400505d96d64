// One POST timed at the wire through undici's dispatch API (no body stream objects): time to response headers, to
// the first body byte and to the last, with microsecond resolution. Checks the status and, for streams, the tail.
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { STREAM_TAIL } from './bodies.js';

export interface Timing {
  ok: boolean;
  /** Why it failed (status, error code or a cut stream). */
  error?: string;
  ttfbMs: number;
  ttlbMs: number;
}

const TAIL = Buffer.from(STREAM_TAIL);

export function timedRequest(pool: Dispatcher, path: string, headers: Record<string, string>, body: string, stream: boolean, timeoutMs: number): Promise<Timing> {
  return new Promise((resolve) => {
    const start = performance.now();
    let status = 0;
    let ttfb = -1;
    let tail: Buffer = Buffer.alloc(0);
    let bytes = 0;
    pool.dispatch(
      { path, method: 'POST', headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
      {
        // undici takes a handler as the new (controller) kind only when it has onRequestStart.
        onRequestStart() {},
        onResponseStart(_c, statusCode) {
          status = statusCode;
        },
        onResponseData(_c, chunk) {
          if (ttfb < 0) ttfb = performance.now() - start;
          bytes += chunk.length;
          // Keep only the last bytes: enough to see the end-of-stream marker across chunk splits.
          if (stream) tail = chunk.length >= TAIL.length ? chunk.subarray(chunk.length - TAIL.length) : Buffer.concat([tail, chunk]).subarray(-TAIL.length);
        },
        onResponseEnd() {
          const end = performance.now() - start;
          const first = ttfb < 0 ? end : ttfb;
          if (status !== 200) resolve({ ok: false, error: `status ${status}`, ttfbMs: first, ttlbMs: end });
          else if (bytes === 0) resolve({ ok: false, error: 'empty body', ttfbMs: first, ttlbMs: end });
          else if (stream && !tail.equals(TAIL)) resolve({ ok: false, error: 'stream did not end with [DONE]', ttfbMs: first, ttlbMs: end });
          else resolve({ ok: true, ttfbMs: first, ttlbMs: end });
        },
        onResponseError(_c, err) {
          const end = performance.now() - start;
          resolve({ ok: false, error: (err as { code?: string }).code ?? err.message, ttfbMs: end, ttlbMs: end });
        },
      },
    );
  });
}
