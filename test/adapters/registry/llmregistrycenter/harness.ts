// Test harness: the adapter created the way the host creates it (config validated and defaulted by the registry,
// a FactoryContext with a real ClusterManager and a fresh metrics registry), a bounded waitFor, and helpers to read
// the status board and metric values.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import manifest from '../../../../adapters/registry/llmregistrycenter/index.js';
import type { LlmRegistryConfig } from '../../../../adapters/registry/llmregistrycenter/schema.js';
import { statusBoardService, type RegistryStatusView } from '../../../../adapters/registry/llmregistrycenter/status.js';
import { ClusterManager } from '../../../../core/cluster/index.js';
import type { AdapterInstance } from '../../../../core/index.js';
import { validatePluginConfig } from '../../../../core/registry/index.js';
import type { ServiceScope } from '../../../../core/services/registry.js';
import { stubFactoryContext, type StubFactoryContext } from '../../../helpers/factory-context.js';

export interface Harness {
  adapter: AdapterInstance;
  ctx: StubFactoryContext;
  clusters: ClusterManager;
  status(name: string): RegistryStatusView | undefined;
  /** One metric sample value, e.g. metric('dgp_registry_up', { registry: 'n' }). */
  metric(name: string, labels: Record<string, string>): Promise<number | undefined>;
  /** `cluster/id@authority` of every endpoint, sorted. */
  endpoints(cluster: string): string[];
}

export async function createAdapter(registries: Record<string, unknown>, clusters = new ClusterManager(), services?: ServiceScope): Promise<Harness> {
  const { config, issues } = validatePluginConfig<LlmRegistryConfig>({ manifest }, { registries });
  if (issues.length > 0) throw new Error(`bad test config: ${JSON.stringify(issues)}`);
  const ctx = stubFactoryContext({ kind: manifest.kind, clusters, ...(services ? { services } : {}) });
  const adapter = (await manifest.create(config, ctx)) as AdapterInstance;
  return {
    adapter,
    ctx,
    clusters,
    status: (name) => ctx.services.get(statusBoardService).get(name),
    async metric(name, labels) {
      const m = ctx.registry.getSingleMetric(name);
      if (m === undefined) return undefined;
      const { values } = await m.get();
      const hit = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
      return hit?.value;
    },
    endpoints: (cluster) => clusters.endpoints(cluster).map((e) => `${cluster}/${e.id}@${e.authority}`).sort(),
  };
}

/** Polls `cond` every 10 ms; rejects after `timeoutMs` with `what` (no unbounded waits). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await delay(10);
  }
}
