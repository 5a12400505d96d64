// Pixiu's Strategy.Execute, step by step (spec §3.2.3): pick (or the preferred endpoint), skip cooled-down endpoints,
// retry per the endpoint's policy, mark a cooldown and fall back in list order. Ours differs (docs/pixiu-compatibility.md):
// the fallback walk wraps around the list (fallback_order), only `retry_on` failures are retried, Retry-After and the
// client's abort are honoured, failed bodies are released, and a request that cannot be built never blames the endpoint.
import {
  DgpError,
  PreferredEndpointId,
  UpstreamAttempts,
  type EndpointPricer,
  type EndpointView,
  type FactoryContext,
  type HashSource,
  type RequestContext,
  type UpstreamAttempt,
  type UpstreamPoolOptions,
  type UpstreamPools,
} from '../../../core/index.js';
import type { Committed, Failed, RetryableStatus } from './attempt.js';
import type { ProxyMapper, UpstreamRequest } from './mapper.js';
import type { AttemptScope } from './attempt-scope.js';
import { costOrder, fallbackAfter, priorityOrder } from './fallback.js';
import type { ProxyMetrics } from './metrics.js';
import type { ProxyOptions } from './options.js';
import type { RouteTrace } from './route-trace.js';
import type { PriceOf } from './deployments.js';
import { budgetFor, type ClusterRetryBudget, type RetryBudgetSettings } from './retry-budget.js';
import type { ScrubberCache } from './secret-scrubber.js';
import { getRetryPolicy, type RetryPolicy } from './retry/index.js';
import { finalOutcome, label, tryEndpoint } from './endpoint-retry.js';

export { finalOutcome, tryEndpoint } from './endpoint-retry.js';

export interface StrategyDeps {
  clusters: FactoryContext['clusters'];
  pools: UpstreamPools;
  poolOptions: UpstreamPoolOptions;
  mapper: ProxyMapper;
  options: ProxyOptions;
  metrics: ProxyMetrics;
  /** The secrets of each endpoint (its key, the configured ones), scrubbed from everything it answers. */
  scrubbers: ScrubberCache;
  /** Deployment prices for model groups with strategy: cost. */
  price?: PriceOf;
  /** The pricer installed for CostAware clusters (its prices go into the trace's pick reason). */
  pricer?: EndpointPricer;
}

export type StrategyOutcome =
  | { kind: 'committed'; result: Committed; endpoint: EndpointView; record: UpstreamAttempt; request: UpstreamRequest; cluster: string; settle: () => void }
  | { kind: 'last_response'; result: RetryableStatus; endpoint: EndpointView; request: UpstreamRequest; cluster: string }
  | { kind: 'error'; error: DgpError }
  | { kind: 'aborted' };

/** How an endpoint is named in messages a client may read: its id only, never its address (see hideAddresses). */

export function hashSourceOf(ctx: RequestContext, clusters: StrategyDeps['clusters']): HashSource | Promise<HashSource> {
  const { method, url, headers } = ctx.request;
  const ct = headers['content-type'];
  // Only a body-field hash key reads the JSON (parsed once by the host and shared); no wait for the others.
  if (clusters.needsBody?.(ctx.route.cluster) === false || typeof ct !== 'string' || !ct.includes('json')) return { method, url, headers };
  return ctx.request.json().then(
    (json) => ({ method, url, headers, json }),
    () => ({ method, url, headers }),
  );
}

/** What one request's walk over the endpoints has gathered so far (for the final outcome). */
export interface Walk {
  readonly ctx: RequestContext;
  /** The cluster of the endpoint being tried (a model group's deployments may span clusters). */
  cluster: string;
  readonly trace: RouteTrace;
  readonly d: StrategyDeps;
  readonly scope: AttemptScope;
  readonly body: Buffer;
  readonly attempts: UpstreamAttempt[];
  readonly problems: string[];
  /** The cluster's retry budget and the settings it is read with. */
  readonly budget: ClusterRetryBudget;
  readonly budgetSettings: RetryBudgetSettings;
  lastResponse: { result: RetryableStatus; endpoint: EndpointView; request: UpstreamRequest; cluster: string } | undefined;
  lastFailure: Failed | undefined;
  deadlineHit: boolean;
}

/** How the tries on one endpoint ended: an outcome for the client, or go on to the fallback, or stop walking. */
export type EndpointVerdict = StrategyOutcome | 'fallback' | 'stop';

/** The endpoint walk: the picked (or preferred) endpoint, then fallbacks in list order, each tried once per its policy. */
export async function executeStrategy(ctx: RequestContext, d: StrategyDeps, scope: AttemptScope, budget: ClusterRetryBudget, trace: RouteTrace): Promise<StrategyOutcome> {
  const cluster = ctx.route.cluster;
  const { clusters } = d;
  const attempts: UpstreamAttempt[] = [];
  ctx.set(UpstreamAttempts, attempts);
  if (!clusters.hasCluster(cluster)) {
    return { kind: 'error', error: new DgpError('DGP_ERR_UPSTREAM_NO_CLUSTER', `cluster "${cluster}" does not exist`, { hint: 'define it under static_resources.clusters or register endpoints for it' }) };
  }
  const body = ctx.request.bodyIfRead?.() ?? (await ctx.request.body());
  const pending = hashSourceOf(ctx, clusters);
  const src = pending instanceof Promise ? await pending : pending;
  let ep = clusters.pickEndpoint(cluster, src);
  const preferred = ctx.get(PreferredEndpointId);
  const preferredEp = preferred ? clusters.getHealthyEndpoint(cluster, preferred) : undefined;
  if (preferredEp) ep = preferredEp;
  const policy = clusters.lbPolicyOf?.(cluster);
  const pricer = d.pricer;
  trace.how(preferredEp ? 'preferred' : (policy ?? 'lb'), policy === 'CostAware' && pricer ? (_c, id) => {
    const e = clusters.getEndpoint(cluster, id);
    return e === undefined ? undefined : pricer(e, src);
  } : undefined);
  for (const e of clusters.endpoints(cluster)) if (!e.healthy) trace.note(cluster, e.id, 'unhealthy');
  const order = ep === undefined ? undefined : policy === 'CostAware' && pricer ? costOrder(clusters, cluster, ep, (e) => pricer(e, src)) : priorityOrder(clusters, cluster, ep);
  const walk: Walk = {
    ctx, cluster, trace, d, scope, body, attempts, problems: [], budget, budgetSettings: budgetFor(d.options.retryBudget, cluster),
    lastResponse: undefined, lastFailure: undefined, deadlineHit: false,
  };
  // Endpoints already tried; the first one is kept apart so a request with one attempt allocates no Set.
  let firstId: string | undefined;
  let visited: Set<string> | undefined;

  while (ep !== undefined) {
    if (firstId === undefined) firstId = ep.id;
    else if (ep.id === firstId || visited?.has(ep.id) === true) break;
    else (visited ??= new Set()).add(ep.id);
    if (scope.cancelledBy() === 'client') return { kind: 'aborted' };
    if (clusters.cooldowns.inCooldown(cluster, ep)) {
      trace.note(cluster, ep.id, 'cooling');
      ep = fallbackAfter(d, cluster, ep, order);
      continue;
    }
    let policy: RetryPolicy;
    try {
      policy = getRetryPolicy(ep);
    } catch (err) {
      walk.problems.push(`${label(ep)} retry policy error: ${(err as Error).message}`);
      ep = fallbackAfter(d, cluster, ep, order);
      continue;
    }
    const verdict = await tryEndpoint(walk, ep, policy);
    if (verdict === 'stop') break;
    if (verdict !== 'fallback') return verdict;
    clusters.cooldowns.markFailure(cluster, ep);
    ep = fallbackAfter(d, cluster, ep, order);
  }
  return finalOutcome(attempts, walk.problems, walk.lastResponse, walk.lastFailure, walk.deadlineHit);
}
