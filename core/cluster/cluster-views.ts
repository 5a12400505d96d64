// The read-only views of a generation's clusters: GET /admin/v1/clusters (active and passive health, load, latency)
// and GET /config (a plain summary, never api keys). Both call an endpoint in cooldown unhealthy.
import type { EndpointView } from '../cluster-api.js';
import type { ClusterSnapshot } from './cluster-snapshot.js';
import { priorityOf } from './cluster-snapshot.js';
import type { EndpointStats } from './endpoint-stats.js';
import type { HealthChecker } from './health-checker.js';
import type { ClusterSummary, ClusterView, HealthCheckSpec } from './types.js';

/** What the views read from the ClusterManager. */
export interface ViewSource {
  snapshots: Iterable<ClusterSnapshot>;
  effectiveHealth(cluster: string, ep: EndpointView, now?: number): { healthy: boolean; cooldownUntil: number | undefined };
  checks: ReadonlyMap<string, readonly HealthCheckSpec[]>;
  checker: HealthChecker | undefined;
  stats: EndpointStats;
}

/** GET /admin/v1/clusters: every endpoint with its active and passive health, load and latency. */
export function clustersView(src: ViewSource): ClusterView[] {
  const now = Date.now();
  return [...src.snapshots].map((snap) => ({
    name: snap.name,
    lb_policy: snap.settings.lbPolicy,
    active_checks: src.checks.get(snap.name)?.map((c) => ({ protocol: c.protocol, http_path: c.http_path, interval_ms: c.interval, timeout_ms: c.timeout })) ?? [],
    endpoints: snap.endpoints.map((ep) => {
      const eff = src.effectiveHealth(snap.name, ep, now);
      const probe = src.checker?.state(snap.name, ep.id);
      return {
        id: ep.id,
        name: ep.name,
        authority: ep.authority,
        provider: ep.llmMeta ? ep.llmMeta.provider : null,
        source: ep.source,
        priority: priorityOf(ep),
        healthy: eff.healthy,
        health: {
          active: probe === undefined ? (ep.healthy ? 'healthy' : 'unhealthy') : probe.healthy === false ? 'unhealthy' : probe.healthy === true ? 'healthy' : 'unknown',
          passive: eff.cooldownUntil === undefined ? 'ok' : 'cooling',
          marked_healthy: ep.healthy,
        },
        cooldown_until: eff.cooldownUntil === undefined ? null : new Date(eff.cooldownUntil).toISOString(),
        probe: probe === undefined ? null : { ...probe },
        ...src.stats.view(snap.name, ep.id),
      };
    }),
  }));
}

/** A plain JSON-able view for GET /config (never api keys). */
export function clustersSummary(src: ViewSource): ClusterSummary[] {
  return [...src.snapshots].map((snap) => ({
    name: snap.name,
    lb_policy: snap.settings.lbPolicy,
    endpoints: snap.endpoints.map((ep) => {
      // An endpoint in cooldown is not healthy to a client, whatever its marked health.
      const eff = src.effectiveHealth(snap.name, ep);
      return {
        id: ep.id,
        name: ep.name,
        authority: ep.authority,
        host: ep.host,
        healthy: eff.healthy,
        cooldown_until: eff.cooldownUntil === undefined ? null : new Date(eff.cooldownUntil).toISOString(),
        source: ep.source,
        provider: ep.llmMeta ? ep.llmMeta.provider : null,
      };
    }),
  }));
}
