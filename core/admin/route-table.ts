// One generation's plugin admin routes: registration (checked at load time), conflict detection between plugins,
// and matching a request path to a route. Built while the generation's factories run, sealed before it serves.
import { DgpError } from '../errors.js';
import type { AdminRouteApi, AdminRouteAuth, AdminRouteInfo, AdminRouteMethod, AdminRouteSpec } from './route-api.js';

export const ADMIN_MAX_BODY_BYTES = 1024 * 1024;
const METHODS: readonly AdminRouteMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const AUTHS: readonly AdminRouteAuth[] = ['admin', 'master-key', 'open'];
/** The host's own admin paths; no plugin may claim them. */
export const HOST_ADMIN_PATHS: readonly string[] = ['/', '/health', '/ready', '/metrics', '/config', '/plugins', '/reload', '/admin/v1/routes', '/admin/v1/clusters', '/admin/v1/openapi.json', '/dashboard'];

export interface AdminRouteEntry extends Required<Omit<AdminRouteSpec, 'description'>> {
  readonly kind: string;
  readonly segments: readonly string[];
  readonly description?: string;
}

export type AdminRouteMatch =
  | { entry: AdminRouteEntry; params: Record<string, string> }
  | { entry?: undefined; allowed: AdminRouteMethod[] };

const segmentsOf = (path: string): string[] => path.split('/').slice(1);
const isParam = (s: string): boolean => s.startsWith(':');
/** Whether one request path could match both patterns. */
const overlaps = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((s, i) => s === b[i] || isParam(s) || isParam(b[i]!));
const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};
/** Literal segments win over captures when a plugin's own routes overlap. */
const literals = (e: AdminRouteEntry): number => e.segments.filter((s) => !isParam(s)).length;

export class AdminRouteTable {
  private readonly entries: AdminRouteEntry[] = [];
  private readonly conflicts: string[] = [];
  private sealed = false;

  /** The `fctx.admin` of one plugin kind. */
  scope(kind: string): AdminRouteApi {
    return { route: (spec) => this.add(kind, spec) };
  }

  private add(kind: string, spec: AdminRouteSpec): void {
    const invalid = (why: string): DgpError =>
      new DgpError('DGP_ERR_ADMIN_ROUTE_INVALID', `${kind}: admin route ${String(spec?.method)} ${String(spec?.path)}: ${why}`);
    if (this.sealed) throw invalid('route() was called after create() finished; mount admin routes during create()');
    if (!METHODS.includes(spec.method)) throw invalid(`method must be one of ${METHODS.join(', ')}`);
    if (typeof spec.path !== 'string' || !/^(\/[A-Za-z0-9._~:-]+)+$/.test(spec.path)) {
      throw invalid('path must start with / and hold non-empty segments of letters, digits, . _ ~ - or :name (no query, no trailing /)');
    }
    const auth = spec.auth ?? 'admin';
    if (!AUTHS.includes(auth)) throw invalid(`auth must be one of ${AUTHS.join(', ')}`);
    if (typeof spec.handler !== 'function') throw invalid('handler must be a function');
    const max = spec.maxBodyBytes ?? ADMIN_MAX_BODY_BYTES;
    if (!Number.isInteger(max) || max < 0 || max > ADMIN_MAX_BODY_BYTES) throw invalid(`maxBodyBytes must be an integer from 0 to ${ADMIN_MAX_BODY_BYTES}`);
    const segments = segmentsOf(spec.path);
    const claim = `${spec.method} ${spec.path}`;
    if (HOST_ADMIN_PATHS.includes(spec.path) || (segments[0] === 'admin' && segments.length < 3)) {
      this.conflicts.push(`${kind} claims ${claim}, which belongs to the host (plugin routes live under /admin/v1/<name>/ or on their own top-level paths)`);
      return;
    }
    for (const e of this.entries) {
      if (e.method !== spec.method || !overlaps(e.segments, segments)) continue;
      if (e.kind === kind) {
        if (e.path === spec.path) return; // the same plugin created again (another listener): its first route stays
        continue;
      }
      this.conflicts.push(`${claim} is claimed by both ${e.kind} (${e.method} ${e.path}) and ${kind}`);
      return;
    }
    const { description } = spec;
    this.entries.push({ kind, method: spec.method, path: spec.path, auth, maxBodyBytes: max, handler: spec.handler, segments, ...(description ? { description } : {}) });
  }

  /** Ends registration; throws DGP_ERR_ADMIN_ROUTE_CONFLICT listing every conflict. */
  seal(): void {
    this.sealed = true;
    if (this.conflicts.length > 0) {
      throw new DgpError('DGP_ERR_ADMIN_ROUTE_CONFLICT', `admin route conflict: ${this.conflicts.join('; ')}`, { details: { conflicts: [...this.conflicts] } });
    }
  }

  match(method: string, path: string): AdminRouteMatch {
    const segments = segmentsOf(path);
    const candidates = this.entries.filter((e) => e.segments.length === segments.length && e.segments.every((s, i) => isParam(s) || s === segments[i]));
    const entry = candidates.filter((e) => e.method === method).sort((a, b) => literals(b) - literals(a))[0];
    if (!entry) return { allowed: [...new Set(candidates.map((e) => e.method))] };
    const params: Record<string, string> = {};
    entry.segments.forEach((s, i) => {
      if (isParam(s)) params[s.slice(1)] = safeDecode(segments[i]!);
    });
    return { entry, params };
  }

  list(): AdminRouteInfo[] {
    return this.entries.map(({ method, path, auth, kind, description }) => ({ method, path, auth, kind, ...(description ? { description } : {}) }));
  }
}
