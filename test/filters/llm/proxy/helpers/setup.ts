// Shared setup for the proxy tests: real ClusterManager clusters pointing at FakeUpstreams, a proxy instance built
// through its manifest with a stub FactoryContext, and one call that runs decode on a fake request context.
import { ClusterManager } from '../../../../../core/cluster/index.js';
import type { ClusterSpec, EndpointSpec } from '../../../../../core/cluster/types.js';
import { DEFAULT_CONSISTENT } from '../../../../../core/cluster/types.js';
import { PreferredEndpointId, type ClusterManagerApi, type LlmMeta, type PluginManifest, type UpstreamPools, upstreamPoolsService } from '../../../../../core/index.js';
import manifest from '../../../../../filters/llm/proxy/index.js';
import type { ProxyFilter } from '../../../../../filters/llm/proxy/filter.js';
import type { ProxyConfig } from '../../../../../filters/llm/proxy/schema.js';
import { stubFactoryContext, type StubFactoryContext } from '../../../../helpers/factory-context.js';
import { testContext, type TestContext, type TestContextInit } from '../../../../helpers/request-context.js';
import type { FakeUpstream } from '../../../../helpers/fake-upstream.js';

export interface EndpointDef {
  id: string;
  /** Upstream to point at, or a bare port (e.g. a closed one for connection-refused). */
  to: FakeUpstream | number;
  llm?: Partial<LlmMeta>;
  unhealthy?: boolean;
}

let clusterSeq = 0;
/** A unique cluster name per test: the cooldown store is process-wide, as in Pixiu. */
export const uniqueCluster = (prefix = 'llm'): string => `${prefix}-${process.pid}-${++clusterSeq}`;

export function llmMeta(over: Partial<LlmMeta> = {}): LlmMeta {
  return {
    provider: 'openai',
    api_key: '',
    fallback: false,
    health_check_interval: 60_000,
    retry_policy: { name: 'NoRetry', config: {} },
    ...over,
  };
}

export function clusterSpec(name: string, eps: readonly EndpointDef[], lb = 'RoundRobin'): ClusterSpec {
  const endpoints: EndpointSpec[] = eps.map((e) => ({
    id: e.id,
    name: '',
    socket_address: { address: '127.0.0.1', port: typeof e.to === 'number' ? e.to : e.to.port, domains: [] },
    meta: { static: 'value' },
    unhealthy: e.unhealthy ?? false,
    llm_meta: llmMeta(e.llm),
  }));
  return { name, type: '', lb_policy: lb, consistent: DEFAULT_CONSISTENT, health_checks: [], endpoints };
}

export interface ProxyHarness {
  filter: ProxyFilter;
  fctx: StubFactoryContext;
  clusters: ClusterManager;
  cluster: string;
  pools: UpstreamPools;
  /** Runs decode on a fresh fake context for the harness cluster; `preferred` sets PreferredEndpointId (as kvcache). */
  run(init?: TestContextInit, preferred?: string): Promise<TestContext>;
  /** Starts decode without awaiting it (abort tests). */
  start(init?: TestContextInit, preferred?: string): { ctx: TestContext; done: Promise<unknown> };
  close(): Promise<void>;
}

export async function proxyHarness(
  eps: readonly EndpointDef[],
  config: Partial<ProxyConfig> = {},
  opts: { lb?: string; clusters?: ClusterManager; cluster?: string; plugins?: readonly PluginManifest[]; log?: StubFactoryContext['log'] } = {},
): Promise<ProxyHarness> {
  const cluster = opts.cluster ?? uniqueCluster();
  const clusters = opts.clusters ?? ClusterManager.fromConfig([clusterSpec(cluster, eps, opts.lb)]);
  // Provider plugins are created from `plugins` into fctx.providers, as the host does; without them the proxy is Pixiu's pass-through.
  const fctx = stubFactoryContext({ clusters: clusters as ClusterManagerApi, plugins: opts.plugins ?? [], ...(opts.log ? { log: opts.log } : {}) });
  const filter = (await manifest.create(config as ProxyConfig, fctx)) as ProxyFilter;
  const pools = fctx.services.get(upstreamPoolsService);
  const start = (init: TestContextInit = {}, preferred?: string): { ctx: TestContext; done: Promise<unknown> } => {
    const ctx = testContext({ body: { model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] }, cluster, ...init });
    if (preferred !== undefined) ctx.set(PreferredEndpointId, preferred);
    return { ctx, done: Promise.resolve(filter.decode(ctx)) };
  };
  return {
    filter,
    fctx,
    clusters,
    cluster,
    pools,
    start,
    async run(init, preferred) {
      const { ctx, done } = start(init, preferred);
      await done;
      return ctx;
    },
    close: () => pools.destroy(),
  };
}

/** A loopback port with nothing listening (bound, then closed): connecting is refused at once. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
