// Reading upstream bodies that are held rather than streamed: failed attempts (kept in case they are the final
// answer) and small unary answers. Every path ends with the body consumed or destroyed, so sockets are never leaked.
import type { Readable } from 'node:stream';
import { IDLE_TIMEOUT_CODE, timeoutError } from '../../../core/index.js';

/** Failed attempts' bodies are error JSON; anything beyond this is cut (the socket is then closed, not reused). */
export const FAILED_BODY_LIMIT = 1024 * 1024;
/** Unary 2xx answers up to this size (by Content-Length) become a Buffer; larger ones are streamed. */
export const UNARY_BUFFER_LIMIT = 8 * 1024 * 1024;

export interface HeldBody {
  body: Buffer;
  /** True when the body ended cleanly within the limit. */
  complete: boolean;
  error?: unknown;
}

/**
 * The next chunk, or a rejection once the upstream has been silent for `idleMs` (0 = no limit): the stream is then
 * destroyed with a DGP_IDLE_TIMEOUT error. Our own timer, because undici's body timer ticks at ~1 s resolution.
 * Only the wait for upstream bytes is timed, never the consumer's own pace (backpressure is not silence).
 */
export async function nextChunk(iterator: AsyncIterator<Buffer>, stream: Readable, idleMs: number): Promise<IteratorResult<Buffer>> {
  if (idleMs <= 0) return iterator.next();
  const timer = setTimeout(() => stream.destroy(timeoutError(IDLE_TIMEOUT_CODE, `the upstream sent no body bytes for ${idleMs} ms`)), idleMs);
  try {
    return await iterator.next();
  } finally {
    clearTimeout(timer);
  }
}

/** Reads up to `limit` bytes; destroys the stream past the limit, on silence longer than `idleMs`, or on error. Never throws. */
export async function readHeld(stream: Readable, limit: number, idleMs: number): Promise<HeldBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  try {
    for (let r = await nextChunk(iterator, stream, idleMs); !r.done; r = await nextChunk(iterator, stream, idleMs)) {
      const chunk = r.value;
      const room = limit - size;
      if (chunk.length > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        size = limit;
        stream.destroy();
        return { body: Buffer.concat(chunks, size), complete: false };
      }
      chunks.push(chunk);
      size += chunk.length;
    }
    return { body: Buffer.concat(chunks, size), complete: true };
  } catch (error) {
    stream.destroy();
    return { body: Buffer.concat(chunks, size), complete: false, error };
  }
}

/** Replaces every occurrence of a secret (the endpoint key some providers echo in errors) with "[REDACTED]". */
export function redactSecrets(buf: Buffer, secrets: readonly string[]): Buffer {
  let out = buf;
  for (const secret of secrets) {
    if (out.indexOf(secret) < 0) continue;
    out = Buffer.from(out.toString('latin1').split(secret).join('[REDACTED]'), 'latin1');
  }
  return out;
}

export function redactHeaders(headers: Record<string, string | string[]>, secrets: readonly string[]): Record<string, string | string[]> {
  if (secrets.length === 0) return headers;
  const scrub = (v: string): string => secrets.reduce((acc, s) => acc.split(s).join('[REDACTED]'), v);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = Array.isArray(v) ? v.map(scrub) : scrub(v);
  return out;
}

export function isEventStream(headers: Record<string, string | string[] | undefined>): boolean {
  const ct = headers['content-type'];
  const v = Array.isArray(ct) ? ct[0] : ct;
  return typeof v === 'string' && v.toLowerCase().trimStart().startsWith('text/event-stream');
}

export function contentLength(headers: Record<string, string | string[] | undefined>): number | undefined {
  const raw = headers['content-length'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v);
}
