// The admin listener's guard, run before any admin endpoint (the host's and plugins'), in single-process and
// multi-core mode alike: the Host check (DNS rebinding), the cross-site check on state-changing requests, and the
// admin token (constant-time compare). GET /health and /ready stay open for probes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DgpError } from '../errors.js';
import { isAllowedHost, isTrustedOrigin } from './host-check.js';

export interface AdminGuardConfig {
  address: string;
  /** '' = no token (config checks allow that only on a loopback address). */
  token: string;
  allowed_hosts: readonly string[];
}

export type GuardVerdict =
  | { ok: true; authenticated: boolean; tokenRequired: boolean }
  | { ok: false; error: DgpError; headers?: Record<string, string> };

/** Probes need no credential and no particular Host (a kubelet sends the pod IP, a load balancer its own name). */
export const OPEN_ADMIN_PATHS: readonly string[] = ['/health', '/ready'];
/** Methods a browser may send cross-site without a preflight only as "simple" requests; all others change state. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** `application/json` or `application/<x>+json`, parameters ignored; a cross-site form cannot send either. */
export function isJsonContentType(value: string | undefined): boolean {
  const media = (value ?? '').split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(media);
}

export class AdminGuard {
  private readonly tokenDigest: Buffer | undefined;

  constructor(private readonly cfg: AdminGuardConfig) {
    this.tokenDigest = cfg.token ? digest(cfg.token) : undefined;
  }

  get tokenRequired(): boolean {
    return this.tokenDigest !== undefined;
  }

  /** True when `presented` equals the token; both sides are hashed first, so the compare takes equal-length input. */
  tokenMatches(presented: string | undefined): boolean {
    return this.tokenDigest !== undefined && presented !== undefined && timingSafeEqual(digest(presented), this.tokenDigest);
  }

  check(req: IncomingMessage, path: string): GuardVerdict {
    const method = req.method ?? 'GET';
    if ((method === 'GET' || method === 'HEAD') && OPEN_ADMIN_PATHS.includes(path)) return { ok: true, authenticated: false, tokenRequired: this.tokenRequired };
    const { address, allowed_hosts: allowed } = this.cfg;
    if (!isAllowedHost(req.headers.host, address, allowed)) {
      return {
        ok: false,
        error: new DgpError('DGP_ERR_ADMIN_HOST', `the admin listener does not answer to Host ${JSON.stringify(req.headers.host ?? '')}: call it by IP address or localhost, or add the name to admin.allowed_hosts`),
      };
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const header = req.headers['x-admin-token'];
    const authenticated = this.tokenMatches(bearer) || this.tokenMatches(typeof header === 'string' ? header : undefined);
    // Without the token, only the content type and Origin tell a script from a page on another site: a cross-site
    // form or no-cors fetch can POST text/plain, form data or nothing, never application/json (that needs a CORS
    // preflight, which this listener never grants).
    if (!SAFE_METHODS.has(method) && !authenticated) {
      if (!isJsonContentType(req.headers['content-type'])) {
        return { ok: false, error: new DgpError('DGP_ERR_ADMIN_CROSS_SITE', `${method} ${path} needs Content-Type: application/json (or the admin token); got ${JSON.stringify(req.headers['content-type'] ?? 'none')}`) };
      }
      const origin = req.headers.origin;
      if (origin !== undefined && !isTrustedOrigin(origin, address, allowed)) {
        return { ok: false, error: new DgpError('DGP_ERR_ADMIN_CROSS_SITE', `${method} ${path} from Origin ${JSON.stringify(origin)} refused: a page on another site cannot change the gateway`) };
      }
    }
    return { ok: true, authenticated, tokenRequired: this.tokenRequired };
  }
}
