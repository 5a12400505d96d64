// Who is calling the key API: the master key (compared in constant time) or the gateway's admin token, which the
// admin guard has already verified and flags on the request. Anything else is refused before any store access.
import type { AdminRouteRequest } from '../../../../core/index.js';
import { keysAdminUnauthorized } from '../errors.js';
import { masterKeyMatches } from '../key-material.js';

export interface Actor {
  kind: 'master-key' | 'admin-token';
  /** Remote address as the admin listener saw it (x-forwarded-for is not trusted here). */
  remote: string | null;
}

function bearer(req: AdminRouteRequest): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m?.[1];
}

/** The caller's identity, or DGP_ERR_KEYS_ADMIN_UNAUTHORIZED. */
export function authorize(req: AdminRouteRequest, masterKey: string): Actor {
  const remote = req.remoteAddress;
  if (masterKeyMatches(bearer(req), masterKey)) return { kind: 'master-key', remote };
  if (req.adminToken) return { kind: 'admin-token', remote };
  throw keysAdminUnauthorized('the key API needs Authorization: Bearer <master key> or the admin token');
}
