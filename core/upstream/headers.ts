// Header hygiene on the upstream hop (RFC 9110 §7.6.1): hop-by-hop headers and every header nominated in
// `Connection` are removed BEFORE the gateway adds its own, so `Connection: authorization` can neither strip nor
// spoof an injected key. Applies to requests going up and responses coming down.
import type { IncomingHttpHeaders } from 'node:http';
import { HOP_BY_HOP_HEADERS, connectionTokens, nominatedHeaders } from '../http/hop-by-hop.js';

export { HOP_BY_HOP_HEADERS, connectionTokens };

/** Headers clients use to carry credentials; dropped when the gateway injects the endpoint's own key. */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie'];

/** Query parameters clients use to carry credentials (Gemini's `?key=`, and the usual spellings elsewhere). */
export const CREDENTIAL_QUERY_PARAMS: ReadonlySet<string> = new Set(['key', 'api_key', 'api-key', 'apikey', 'x-api-key', 'access_token']);
const MAYBE_CREDENTIAL_PARAM = /(?:^|&)(?:key|api[_-]?key|x-api-key|access_token)=/i;

/**
 * The query without credential parameters (CREDENTIAL_QUERY_PARAMS, names compared case-insensitively); every other
 * parameter keeps its exact bytes and order. For requests to an endpoint that has its own key.
 */
export function dropCredentialParams(query: string): string {
  if (query === '' || (!MAYBE_CREDENTIAL_PARAM.test(query) && !query.includes('%'))) return query;
  return query
    .split('&')
    .filter((pair) => {
      const eq = pair.indexOf('=');
      let name = eq < 0 ? pair : pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // a malformed escape is kept as written
      }
      return !CREDENTIAL_QUERY_PARAMS.has(name.toLowerCase());
    })
    .join('&');
}

export type OutgoingHeaders = Record<string, string | string[]>;
type AnyHeaders = IncomingHttpHeaders | Record<string, string | string[] | number | undefined | null>;

// CR, LF and NUL would split or truncate a header on the wire (undici GHSA-3cvr-822r-rqcc and siblings).
const NO_NAMES: ReadonlySet<string> = new Set();

const UNSAFE_VALUE = /[\r\n\0]/;


/**
 * A copy without hop-by-hop headers, Connection-nominated headers, the names in `drop`, HTTP/2 pseudo-headers and
 * values holding CR/LF/NUL. Multi-value headers stay arrays. Names come out lower-cased.
 */
export function stripHopByHop(headers: AnyHeaders, drop: Iterable<string> = NO_NAMES): OutgoingHeaders {
  const tokens = nominatedHeaders(headers);
  // A Set passed in is used as is: the proxy's drop lists are built once, not per request.
  const dropped = drop instanceof Set ? (drop as ReadonlySet<string>) : new Set(drop);
  const out: OutgoingHeaders = {};
  for (const rawName in headers) {
    const value = headers[rawName];
    if (value == null) continue;
    const name = rawName.toLowerCase();
    if (name.charCodeAt(0) === 0x3a /* : */ || HOP_BY_HOP_HEADERS.has(name) || tokens.has(name) || dropped.has(name)) continue;
    if (Array.isArray(value)) {
      const safe = value.filter((v) => !UNSAFE_VALUE.test(v));
      if (safe.length > 0) out[name] = safe;
    } else {
      const v = typeof value === 'string' ? value : String(value);
      if (!UNSAFE_VALUE.test(v)) out[name] = v;
    }
  }
  return out;
}

export interface UpstreamHeaderOptions {
  /** Headers the gateway sets after stripping, e.g. authorization and user-agent. Values win over the client's. */
  inject: Record<string, string>;
  /** Also drop the client's credential headers (CREDENTIAL_HEADERS): set when the gateway injects its own key. */
  dropClientCredentials: boolean;
  /** More client headers to drop (a provider codec's `dropHeaders`). */
  drop?: readonly string[];
}

/**
 * Request headers for the upstream: hop-by-hop and nominated headers go first, then host, content-length and expect
 * (undici derives host from the origin and content-length from the body), then the gateway's own headers are added.
 */
export function buildUpstreamHeaders(inbound: AnyHeaders, opts: UpstreamHeaderOptions): OutgoingHeaders {
  let drop = opts.dropClientCredentials ? DROP_WITH_CREDENTIALS : DROP_ALWAYS;
  if (opts.drop && opts.drop.length > 0) drop = new Set([...drop, ...opts.drop.map((h) => h.toLowerCase())]);
  const out = stripHopByHop(inbound, drop);
  for (const name in opts.inject) {
    const value = opts.inject[name]!;
    if (UNSAFE_VALUE.test(value)) throw new TypeError(`header ${name} holds CR, LF or NUL`);
    out[name.toLowerCase()] = value;
  }
  return out;
}

/** undici derives host from the origin and content-length from the body; expect is never forwarded. */
const DROP_ALWAYS: ReadonlySet<string> = new Set(['host', 'content-length', 'expect']);
const DROP_WITH_CREDENTIALS: ReadonlySet<string> = new Set([...DROP_ALWAYS, ...CREDENTIAL_HEADERS]);
const DROP_CONTENT_LENGTH: ReadonlySet<string> = new Set(['content-length']);

/**
 * Response headers for the client: hop-by-hop and nominated headers dropped, multi-value kept. Content-Length is
 * dropped too: the host frames the body it actually writes (filters may change it).
 */
export function filterResponseHeaders(headers: AnyHeaders): Record<string, string | string[]> {
  return stripHopByHop(headers, DROP_CONTENT_LENGTH);
}
