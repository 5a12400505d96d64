// The one list of connection-specific header fields (RFC 9110 §7.6.1), used on both hops: the upstream request and
// response (core/upstream/headers.ts) and the answer written to the client (respond.ts). Besides the fixed names,
// every name nominated in `Connection` is hop-by-hop too.
import type { IncomingHttpHeaders } from 'node:http';

type AnyHeaders = IncomingHttpHeaders | Record<string, string | string[] | number | undefined | null>;

/** Hop-by-hop per RFC 9110 §7.6.1, plus the RFC 2616 list (proxy-*, trailer) that older peers still send. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

const NONE: ReadonlySet<string> = new Set();
const CLOSE: ReadonlySet<string> = new Set(['close']);

/** Lower-cased tokens of every `Connection` (and `Proxy-Connection`) header value. */
export function connectionTokens(headers: AnyHeaders): Set<string> {
  return new Set(nominatedHeaders(headers));
}

/** The same tokens without building anything when neither header is present (the common case). */
export function nominatedHeaders(headers: AnyHeaders): ReadonlySet<string> {
  const connection = headers['connection'];
  const proxy = headers['proxy-connection'];
  if (proxy == null && typeof connection === 'string') {
    // The usual values, without splitting: keep-alive is hop-by-hop anyway.
    const v = connection.length <= 10 ? connection.toLowerCase() : '';
    if (v === 'keep-alive') return NONE;
    if (v === 'close') return CLOSE;
  }
  if (connection == null && proxy == null) return NONE;
  const tokens = new Set<string>();
  for (const raw of [connection, proxy]) {
    const values = Array.isArray(raw) ? raw : raw == null ? [] : [String(raw)];
    for (const v of values) {
      for (const t of v.split(',')) {
        const token = t.trim().toLowerCase();
        if (token) tokens.add(token);
      }
    }
  }
  return tokens;
}
