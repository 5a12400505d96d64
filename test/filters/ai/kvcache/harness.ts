// Builds a kvcache filter the way the host does (config validated and defaulted by its schema, then create) on a stub
// FactoryContext whose worker pool runs the real tokenize / prefixHashes / hash tasks inline, with one cluster of
// endpoints; runs decode (and optionally the rest of a request) on fake request contexts; reads metric values.
import { PreferredEndpointId, SelectedEndpoint, type EndpointInput } from '../../../../core/index.js';
import { validatePluginConfig } from '../../../../core/registry/index.js';
import { hash } from '../../../../core/workers/tasks/hash.js';
import { prefixHashes } from '../../../../core/workers/tasks/prefix-hashes.js';
import { tokenize } from '../../../../core/workers/tasks/tokenize.js';
import type { HashInput, PrefixHashesInput, TokenizeInput } from '../../../../core/workers/tasks/types.js';
import { KvcacheFilter } from '../../../../filters/ai/kvcache/filter.js';
import manifest from '../../../../filters/ai/kvcache/index.js';
import type { RuntimeDeps } from '../../../../filters/ai/kvcache/runtime.js';
import type { KvcacheConfig } from '../../../../filters/ai/kvcache/schema.js';
import type { TapTest } from '../../../helpers/conformance.js';
import { stubFactoryContext, type StubFactoryContext } from '../../../helpers/factory-context.js';
import { testContext, type TestContext } from '../../../helpers/request-context.js';

export const CLUSTER = 'vllm';

export const realWorkerTasks = {
  tokenize: (i: unknown) => tokenize(i as TokenizeInput),
  prefixHashes: (i: unknown) => prefixHashes(i as PrefixHashesInput),
  hash: (i: unknown) => hash(i as HashInput),
};

export interface KvHarness {
  filter: KvcacheFilter;
  fctx: StubFactoryContext;
  /** decode only (the request stays "in flight" for the prefix mode's counts). */
  decode(body: unknown, init?: { cluster?: string; raw?: string }): Promise<TestContext>;
  /** decode, then encode with the endpoint the proxy served (default: the preferred one), then onComplete. */
  complete(ctx: TestContext, servedBy?: string): Promise<void>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export async function kvHarness(
  t: TapTest,
  config: KvcacheConfig,
  opts: { endpoints?: Array<string | EndpointInput>; deps?: RuntimeDeps; workerTasks?: Record<string, (i: unknown) => unknown> } = {},
): Promise<KvHarness> {
  const fctx = stubFactoryContext({ kind: manifest.kind, workerTasks: opts.workerTasks ?? realWorkerTasks });
  (opts.endpoints ?? ['vllm-a', 'vllm-b', 'vllm-c']).forEach((e, i) => {
    const input: EndpointInput = typeof e === 'string' ? { id: e } : e;
    fctx.clusters.setEndpoint(CLUSTER, { socket_address: { address: '127.0.0.1', port: 20000 + i }, ...input });
  });
  const { config: validated, issues } = validatePluginConfig<KvcacheConfig>({ manifest }, config);
  if (issues.length > 0) throw new Error(`harness config invalid: ${JSON.stringify(issues)}`);
  const filter = new KvcacheFilter(validated, fctx, opts.deps);
  t.teardown(async () => {
    await filter.close();
    fctx.controller.abort();
  });
  return {
    filter,
    fctx,
    async decode(body, init = {}) {
      const ctx = testContext({ body: init.raw ?? (body as object), cluster: init.cluster ?? CLUSTER, headers: { 'content-type': 'application/json' } });
      await filter.decode(ctx);
      return ctx;
    },
    async complete(ctx, servedBy) {
      const id = servedBy ?? ctx.get(PreferredEndpointId);
      if (id !== undefined) ctx.set(SelectedEndpoint, { cluster: ctx.route.cluster, id, address: '127.0.0.1' });
      filter.encode(ctx);
      filter.onComplete(ctx);
    },
    async metric(name, labels = {}) {
      const m = fctx.registry.getSingleMetric(name);
      if (m === undefined) return 0;
      const values = (await m.get()).values as Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>;
      return values
        .filter((v) => (v.metricName === undefined || v.metricName === name || v.metricName === `${name}_count`) && Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
        .filter((v) => !name.endsWith('_seconds') || v.metricName === `${name}_count`)
        .reduce((a, v) => a + v.value, 0);
    },
  };
}
