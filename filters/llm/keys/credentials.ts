// The client's key as each SDK sends it — OpenAI `Authorization: Bearer`, Anthropic `x-api-key`, Gemini
// `x-goog-api-key` or `?key=` — and its removal from the request, so no client credential ever travels upstream
// (the proxy sends the endpoint's own `llm_meta.api_key`).
import type { RequestContext } from '../../../core/index.js';

const HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key'] as const;
const BEARER = /^Bearer\s+(\S+)\s*$/i;
const KEY_PARAM = /(?:^|&)key=/;

function header(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.request.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

/** The presented key, or undefined. Authorization must be a Bearer token; the first header found wins. */
export function presentedKey(ctx: RequestContext): string | undefined {
  const auth = header(ctx, 'authorization');
  if (auth !== undefined) return BEARER.exec(auth)?.[1];
  const key = header(ctx, 'x-api-key') ?? header(ctx, 'x-goog-api-key') ?? header(ctx, 'api-key');
  if (key !== undefined) return key;
  const q = ctx.request.query;
  if (q === '' || !KEY_PARAM.test(q)) return undefined;
  const v = new URLSearchParams(q).get('key');
  return v === null || v === '' ? undefined : v;
}

/**
 * Removes every client credential: the headers above and the `key` query parameter. A header is cleared to undefined
 * (absent to every reader, and the proxy copies no undefined header) rather than deleted: deleting a property turns
 * the request's headers object into a dictionary, which cost more than the rest of this function, and every header
 * read and the proxy's header copy after it paid again.
 */
export function stripCredentials(ctx: RequestContext): void {
  const headers = ctx.request.headers;
  for (const h of HEADERS) if (headers[h] !== undefined) headers[h] = undefined;
  const q = ctx.request.query;
  if (q === '' || !KEY_PARAM.test(q)) return;
  // Rebuilt by hand, not with URLSearchParams, so the other parameters keep their exact bytes.
  ctx.request.setQuery(q.split('&').filter((p) => !p.startsWith('key=') && p !== 'key').join('&'));
}

/** Three dot-separated base64url parts: a JWS compact serialisation (RFC 7515 §7.1). */
export const looksLikeJwt = (token: string): boolean => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
