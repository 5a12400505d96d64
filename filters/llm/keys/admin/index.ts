// The key-management admin API the keys filter mounts when a master key is configured: native REST under
// /admin/v1/{keys,teams,users,spend} and LiteLLM-compatible aliases. Without a master key the filter does not call
// this, so none of these routes exist. Every route authenticates the master key or the admin token itself.
import type { AdminRouteApi } from '../../../../core/index.js';
import { mountLiteLlmRoutes } from './litellm-routes.js';
import { mountNativeRoutes } from './native-routes.js';
import { KeyAdminOps, type KeyAdminOptions } from './ops.js';

export type { KeyAdminOptions, KeyChange } from './ops.js';
export type { AuditLog } from './audit.js';

/** Mounts every key-API route on `admin` (call during the filter's create()). */
export function mountKeyAdmin(admin: AdminRouteApi, opts: KeyAdminOptions): void {
  if (!opts.masterKey) throw new TypeError('mountKeyAdmin: a master key is required; without one the key API stays unmounted');
  const ops = new KeyAdminOps(opts);
  mountNativeRoutes(admin, ops);
  mountLiteLlmRoutes(admin, ops);
}
