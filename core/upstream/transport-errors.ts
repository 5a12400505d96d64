// Classifies what undici and the socket layer throw into the few failure kinds retry and status decisions need:
// a failure before the connection was up, a reset or close before a complete response, a timer, or bytes that are
// not a valid HTTP/1.1 response.
export type TransportFailureKind = 'connect_error' | 'network_error' | 'timeout' | 'bad_response';

export interface TransportFailure {
  kind: TransportFailureKind;
  /** The most specific code found (undici UND_ERR_*, or a system code such as ECONNREFUSED). */
  code: string;
  message: string;
  /** True when a timer fired (connect, first byte, idle): decides 504 over 503 (and bad_response, 502). */
  timedOut: boolean;
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Codes our own precise timers use (undici's header and body timers tick at about 1 s resolution). */
export const FIRST_BYTE_TIMEOUT_CODE = 'DGP_FIRST_BYTE_TIMEOUT';
export const IDLE_TIMEOUT_CODE = 'DGP_IDLE_TIMEOUT';
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  FIRST_BYTE_TIMEOUT_CODE,
  IDLE_TIMEOUT_CODE,
]);

/** An Error carrying one of our timeout codes, so classifyTransportError files it as a timeout. */
export function timeoutError(code: typeof FIRST_BYTE_TIMEOUT_CODE | typeof IDLE_TIMEOUT_CODE, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function codeOf(err: unknown): string {
  // undici wraps the socket error in `cause` for some failures; the inner code is the informative one.
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    e = (e as { cause?: unknown }).cause;
  }
  const top = (err as { code?: unknown } | null)?.code;
  return typeof top === 'string' ? top : 'UNKNOWN';
}

/** undici's llhttp refused the upstream's bytes (HTTPParserError, usually without a code), or they broke their own framing. */
function isMalformed(err: unknown, code: string): boolean {
  return code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || (err as { name?: unknown } | null)?.name === 'HTTPParserError';
}

export function classifyTransportError(err: unknown): TransportFailure {
  const found = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (isMalformed(err, found)) return { kind: 'bad_response', code: found === 'UNKNOWN' ? 'HPE_INVALID_RESPONSE' : found, message, timedOut: false };
  const code = found;
  // TLS handshake failures (bad certificate, wrong host) happen while connecting: nothing was sent.
  const tls = code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('UNABLE_TO_') || code.includes('CERT');
  const timedOut = TIMEOUT_CODES.has(code);
  if (CONNECT_CODES.has(code) || tls) return { kind: 'connect_error', code, message, timedOut };
  if (timedOut) return { kind: 'timeout', code, message, timedOut };
  return { kind: 'network_error', code, message, timedOut: false };
}
