// The cluster runtime's public surface for the rest of core (plugins see only ClusterManagerApi via core/index.ts).
export { ClusterManager, DYNAMIC_SOURCE, type ClusterManagerOptions } from './cluster-manager.js';
export { ClusterSnapshot, type ClusterSettings } from './cluster-snapshot.js';
export { cooldownService } from './cooldown-service.js';
export { CooldownStore, LLM_UNHEALTHY_KEY, HEALTHY_CHECK_TIME_KEY } from './cooldown-store.js';
export { generateEndpointId, GENERATED_ID_PREFIX } from './endpoint-id.js';
export { STATIC_SOURCE } from './assemble-cluster.js';
export { LB_POLICY_NAMES, resolveLbPolicyName } from './lb/index.js';
export * from './types.js';
export { EndpointStats } from './endpoint-stats.js';
export { HealthChecker, type ProbeState } from './health-checker.js';
export { registerHealthMetrics } from './health-metrics.js';
