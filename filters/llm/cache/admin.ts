// The cache's admin routes: purge one scope (`DELETE /admin/v1/cache?scope=team:red`: a new generation for the scope,
// so no instance reads its old entries again), and report a wrong semantic hit (`POST /admin/v1/cache/feedback`:
// the entry is evicted, its vector forgotten, and dgp_cache_semantic_false_hits_total counts it).
import type { AdminRouteApi } from '../../../core/index.js';
import type { CacheBackend } from './backend.js';
import { badFeedback, badPurge } from './errors.js';
import type { CacheMetrics } from './metrics.js';
import { scopeOfSelector } from './scope.js';
import type { SemanticIndex } from './semantic/index.js';

export function mountCacheAdmin(admin: AdminRouteApi, backend: CacheBackend, semantic: SemanticIndex | undefined, metrics: CacheMetrics): void {
  admin.route({
    method: 'DELETE',
    path: '/admin/v1/cache',
    description: 'Purge the response cache of one scope: ?scope=global | team:<id> | key:<id> | user:<id>',
    handler: async (req) => {
      const scope = req.query.scope ?? '';
      const named = scopeOfSelector(scope);
      if (named === undefined) throw badPurge(`scope ${JSON.stringify(scope)} is not global, team:<id>, key:<id> or user:<id>`);
      const generation = await backend.purge(named);
      return { body: { purged: scope, generation } };
    },
  });
  admin.route({
    method: 'POST',
    path: '/admin/v1/cache/feedback',
    description: 'Report a semantic hit as wrong: {"request_id": "...", "verdict": "wrong"}; evicts the entry it was served from',
    handler: async (req) => {
      const b = req.body as { request_id?: unknown; verdict?: unknown } | undefined;
      if (typeof b?.request_id !== 'string' || b.verdict !== 'wrong') throw badFeedback('the body must be {"request_id": "<x-request-id>", "verdict": "wrong"}');
      const key = semantic?.forget(b.request_id);
      if (key === undefined) throw badFeedback(`request ${b.request_id} is not a recent semantic hit of this gateway`);
      await backend.delete(key);
      metrics.falseHits.inc();
      return { body: { evicted: true } };
    },
  });
}
