// GET /ready from services: every live service's readiness under `detail[<name>]`, and the first not-ready one as
// `reason` (which makes /ready answer 503).
import type { ServiceReadiness } from './define.js';
import type { ServiceScope } from './registry.js';

export interface ReadinessReport {
  detail: Record<string, ServiceReadiness>;
  /** Set when a service is not ready: `<service>: <its reason>`. */
  reason?: string;
  /** Set once shutdown began: /ready answers 503 `draining` so load balancers stop sending new requests. */
  draining?: boolean;
}

export function readinessReport(scopes: ReadonlyArray<ServiceScope | undefined>): ReadinessReport {
  const detail: Record<string, ServiceReadiness> = {};
  for (const scope of scopes) if (scope) Object.assign(detail, scope.readiness());
  const down = Object.entries(detail).find(([, r]) => !r.ready);
  if (down === undefined) return { detail };
  return { detail, reason: `${down[0]}: ${down[1].reason ?? 'not ready'}` };
}
