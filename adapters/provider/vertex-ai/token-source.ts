// OAuth2 access tokens for service accounts by the JWT bearer flow (RFC 7523, Google's "OAuth 2.0 for Server to
// Server Applications"): an RS256-signed assertion {iss, scope, aud = token_uri, iat, exp} is POSTed to the token_uri
// as grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer. Tokens are cached per service account and refreshed
// before they expire; concurrent requests share one refresh. This cache is the codec's only state, on purpose: a
// token request per LLM request would add a round trip and hit Google's token quota.
import { createHash, createSign } from 'node:crypto';
import { VertexCredentials, VertexToken } from './errors.js';
import type { ServiceAccount } from './service-account.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Google's assertions may live at most one hour. */
const ASSERTION_LIFETIME_S = 3600;
/** Refresh this long before expiry (at most half the token's lifetime, for short-lived tokens). */
const REFRESH_EARLY_MS = 5 * 60 * 1000;
const TOKEN_TIMEOUT_MS = 10_000;
const MAX_ENTRIES = 256;

interface Cached {
  token: string;
  refreshAt: number;
  expiresAt: number;
}

const b64url = (v: string | Buffer): string => Buffer.from(v).toString('base64url');

export function signAssertion(sa: ServiceAccount, scope: string, nowS: number): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(sa.privateKeyId ? { kid: sa.privateKeyId } : {}) };
  const claims = { iss: sa.clientEmail, scope, aud: sa.tokenUri, iat: nowS, exp: nowS + ASSERTION_LIFETIME_S };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  let signature: Buffer;
  try {
    signature = createSign('RSA-SHA256').update(input).sign(sa.privateKey);
  } catch {
    // The crypto error can quote key material: only say what failed.
    throw VertexCredentials(`the private key of service account ${sa.clientEmail} cannot sign (not a valid RSA private key)`, { hint: 'use the private_key of a service-account key file unchanged' });
  }
  return `${input}.${b64url(signature)}`;
}

export class TokenSource {
  readonly #cache = new Map<string, Cached>();
  readonly #pending = new Map<string, Promise<Cached>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A valid access token for the service account, fetched only when the cached one is due for refresh. */
  async token(sa: ServiceAccount, scope = CLOUD_PLATFORM_SCOPE): Promise<string> {
    const key = createHash('sha256').update(`${sa.clientEmail}\n${sa.tokenUri}\n${scope}\n${sa.privateKey}`).digest('hex');
    const hit = this.#cache.get(key);
    const now = this.#now();
    if (hit !== undefined && now < hit.refreshAt) return hit.token;
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = this.#fetch(sa, scope).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    try {
      const fresh = await pending;
      if (this.#cache.size >= MAX_ENTRIES) this.#cache.clear();
      this.#cache.set(key, fresh);
      return fresh.token;
    } catch (err) {
      // A failed refresh while the old token is still valid: keep serving it; the next request tries again.
      if (hit !== undefined && this.#now() < hit.expiresAt) return hit.token;
      throw err;
    }
  }

  async #fetch(sa: ServiceAccount, scope: string): Promise<Cached> {
    const started = this.#now();
    const assertion = signAssertion(sa, scope, Math.floor(started / 1000));
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
    let res: Response;
    try {
      res = await fetch(sa.tokenUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS) });
    } catch (err) {
      const why = (err as Error).name === 'TimeoutError' ? `no answer within ${TOKEN_TIMEOUT_MS} ms` : ((err as { cause?: { code?: string } }).cause?.code ?? 'connection failed');
      throw VertexToken(`the token endpoint ${sa.tokenUri} could not be reached for service account ${sa.clientEmail}: ${why}`);
    }
    const text = await res.text().catch(() => '');
    let parsed: Record<string, unknown> = {};
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v === 'object' && v !== null) parsed = v as Record<string, unknown>;
    } catch {
      // Not JSON: reported by status below.
    }
    if (!res.ok || typeof parsed.access_token !== 'string' || parsed.access_token === '') {
      const error = typeof parsed.error === 'string' ? parsed.error : `HTTP ${res.status}`;
      const description = typeof parsed.error_description === 'string' ? `: ${parsed.error_description.slice(0, 300)}` : '';
      throw VertexToken(`the token endpoint refused service account ${sa.clientEmail} (${error}${description})`);
    }
    const lifetimeMs = (typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : ASSERTION_LIFETIME_S) * 1000;
    const early = Math.min(REFRESH_EARLY_MS, lifetimeMs / 2);
    return { token: parsed.access_token, expiresAt: started + lifetimeMs, refreshAt: started + lifetimeMs - early };
  }
}
