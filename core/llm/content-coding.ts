// Content-Encoding of an upstream answer the exchange reads: the codings applied (RFC 9110 §8.4) and a bounded decode
// of a copy of the body. HTTP "deflate" is zlib-wrapped, but raw DEFLATE is common: both are accepted.
import zlib from 'node:zlib';

const SUPPORTED = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/** The codings in the order they were applied; [] for identity; undefined when one is not supported. */
export function contentCodings(value: string | string[] | number | undefined): string[] | undefined {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(',') : String(value);
  const codings = text
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  return codings.every((c) => SUPPORTED.has(c)) ? codings : undefined;
}

/**
 * Decodes `body` (synchronously: a unary answer, decoded once when the exchange settles), output capped at
 * `maxBytes`; undefined when it does not decode or is larger.
 */
export function decodeBody(body: Buffer, codings: readonly string[], maxBytes: number): Buffer | undefined {
  let out = body;
  const opts = { maxOutputLength: maxBytes };
  try {
    for (let i = codings.length - 1; i >= 0; i--) {
      const c = codings[i];
      if (c === 'br') out = zlib.brotliDecompressSync(out, opts);
      else if (c === 'deflate') out = isZlibHeader(out) ? zlib.inflateSync(out, opts) : zlib.inflateRawSync(out, opts);
      else out = zlib.gunzipSync(out, opts);
    }
  } catch {
    return undefined;
  }
  return out;
}

/** zlib streams start with CMF/FLG where CM = 8 and (CMF*256 + FLG) % 31 === 0. */
function isZlibHeader(b: Buffer): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && ((b[0]! << 8) | b[1]!) % 31 === 0;
}
