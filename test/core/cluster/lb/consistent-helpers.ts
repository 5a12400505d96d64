// Shared measurements for the consistent-hash tests: who owns each of 10k keys before and after a change.
import { ClusterManager } from '../../../../core/cluster/cluster-manager.js';
import type { ConsistentSpec } from '../../../../core/cluster/types.js';
import { cluster, endpoints, src } from '../fixtures.js';

export const KEYS = Array.from({ length: 10000 }, (_, i) => `user-${i}`);

export function hashedCluster(lb: 'RingHashing' | 'MaglevHashing', n: number, consistent: Partial<ConsistentSpec> = {}): ClusterManager {
  // Distinct hosts 10.0.0.<i>:8000, keyed by the x-user header.
  const eps = endpoints(n, (i) => ({ address: `10.0.0.${i + 1}`, port: 8000 }));
  return ClusterManager.fromConfig([cluster('llm', lb, eps, { hash_on: 'header', hash_key: 'x-user', ...consistent })]);
}

export function owners(m: ClusterManager): Map<string, string> {
  return new Map(KEYS.map((k) => [k, m.pickEndpoint('llm', src('POST', '/v1/chat/completions', { 'x-user': k }))!.id]));
}

export function shares(own: Map<string, string>): Record<string, number> {
  const h: Record<string, number> = {};
  for (const id of own.values()) h[id] = (h[id] ?? 0) + 1 / own.size;
  return h;
}

/** Keys whose owner changed, and how many of them were not on `removed` before. */
export function disruption(before: Map<string, string>, after: Map<string, string>, removed: string) {
  let moved = 0;
  let movedFromOthers = 0;
  for (const [k, id] of before) {
    if (after.get(k) !== id) {
      moved++;
      if (id !== removed) movedFromOthers++;
    }
  }
  return { moved, movedFromOthers };
}
