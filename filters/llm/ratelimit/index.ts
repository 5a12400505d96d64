// Manifest of dgp.filter.llm.ratelimit: request, token and concurrency limits per key, team, user, end user, model,
// route, ip or header, enforced atomically in a store (memory, shared by --workers; or Redis, shared by instances).
// The only file the plugin loader imports.
import { API_VERSION, MEMORY_STORE_DEFAULTS, defineFilter, memoryStoreService, type FactoryContext } from '../../../core/index.js';
import { RateLimitFilter } from './filter.js';
import { Limiter, storeStatusService } from './limiter.js';
import { RateLimitMetrics } from './metrics.js';
import { compileRules, type CompiledRule } from './rules.js';
import { RateLimitConfigSchema, type RateLimitConfig } from './schema.js';

export const KIND = 'dgp.filter.llm.ratelimit';

/** One plain sentence of what is limited, for the startup log. */
function summary(config: Readonly<RateLimitConfig>, rules: readonly CompiledRule[], storeId: string): string {
  const what = rules.map((r) => r.id);
  if (config.key_limits) what.push("each key's own rpm / tpm / max_parallel_requests");
  return `Rate limits: ${what.join(', ') || 'nothing (no rules, key_limits off)'}; store ${storeId}, on_store_error ${config.on_store_error}.`;
}

export default defineFilter({
  kind: KIND,
  apiVersion: API_VERSION,
  description: 'Request, token and concurrency limits per key, team, user, end user, model, route, ip or header; 429 in the client API shape.',
  configSchema: RateLimitConfigSchema,
  create: (config: Readonly<RateLimitConfig>, fctx: FactoryContext) => {
    const rules = compileRules(config);
    const storeId = config.store ?? 'default';
    const store = config.store === undefined ? fctx.services.get(memoryStoreService, MEMORY_STORE_DEFAULTS) : fctx.store(config.store);
    const metrics = new RateLimitMetrics(fctx.metrics);
    const limiter = new Limiter({
      store, storeId, status: fctx.services.get(storeStatusService, storeId), mode: config.on_store_error,
      expectedInstances: config.expected_instances, leaseMs: config.lease_ms, metrics, log: fctx.log,
    });
    fctx.log.info(summary(config, rules, storeId));
    return new RateLimitFilter(config, rules, limiter, metrics, fctx.workers);
  },
});
