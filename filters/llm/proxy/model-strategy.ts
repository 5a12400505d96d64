// The endpoint walk of a request whose model matched a model group: every candidate deployment endpoint in order
// (deployments.ts), skipping the unhealthy and the cooling down, each tried per its own retry policy; a failed one is
// cooled down and the walk goes on (a model group always falls back, whatever llm_meta.fallback says).
import { UpstreamAttempts, type RequestContext, type UpstreamAttempt } from '../../../core/index.js';
import type { AttemptScope } from './attempt-scope.js';
import { orderCandidates } from './deployments.js';
import { endpointModel } from './endpoint-pricer.js';
import type { GroupMatch } from './model-groups.js';
import type { ClusterRetryBudget } from './retry-budget.js';
import { budgetFor } from './retry-budget.js';
import { getRetryPolicy, type RetryPolicy } from './retry/index.js';
import type { RouteTrace } from './route-trace.js';
import { finalOutcome, hashSourceOf, tryEndpoint, type StrategyDeps, type StrategyOutcome, type Walk } from './strategy.js';

export async function executeModelGroup(
  ctx: RequestContext,
  d: StrategyDeps,
  scope: AttemptScope,
  budget: ClusterRetryBudget,
  trace: RouteTrace,
  match: GroupMatch,
  requested: string | undefined,
): Promise<StrategyOutcome> {
  const attempts: UpstreamAttempt[] = [];
  ctx.set(UpstreamAttempts, attempts);
  const body = await ctx.request.body();
  const routeCluster = ctx.route.cluster;
  const src = hashSourceOf(ctx, d.clusters);
  const hash = src instanceof Promise ? await src : src;
  const candidates = orderCandidates({ group: match.group, routeCluster, clusters: d.clusters, hash, trace, requested, ...(d.price ? { price: d.price } : {}) });
  const price = d.price;
  trace.how(match.group.strategy, match.group.strategy === 'cost' && price ? (cluster, id) => {
    const c = candidates.find((x) => x.cluster === cluster && x.base.id === id);
    const { provider, model } = endpointModel(c?.endpoint ?? { llmMeta: undefined }, requested);
    return model === undefined ? undefined : price(provider, model);
  } : undefined);
  const walk: Walk = {
    ctx, cluster: routeCluster, trace, d, scope, body, attempts, problems: [], budget, budgetSettings: budgetFor(d.options.retryBudget, routeCluster),
    lastResponse: undefined, lastFailure: undefined, deadlineHit: false,
  };
  let tried = 0;
  for (const c of candidates) {
    if (scope.cancelledBy() === 'client') return { kind: 'aborted' };
    if (!c.base.healthy) {
      trace.note(c.cluster, c.base.id, 'unhealthy');
      continue;
    }
    if (d.clusters.cooldowns.inCooldown(c.cluster, c.base)) {
      trace.note(c.cluster, c.base.id, 'cooling');
      continue;
    }
    let policy: RetryPolicy;
    try {
      policy = getRetryPolicy(c.base);
    } catch (err) {
      walk.problems.push(`endpoint [${c.base.id}] retry policy error: ${(err as Error).message}`);
      continue;
    }
    tried++;
    walk.cluster = c.cluster;
    const verdict = await tryEndpoint(walk, c.endpoint, policy);
    if (verdict === 'stop') break;
    if (verdict !== 'fallback') return verdict;
    d.clusters.cooldowns.markFailure(c.cluster, c.base);
  }
  if (tried === 0 && attempts.length === 0) {
    walk.problems.push(`no deployment of model group "${match.group.name}" is available: every endpoint is unhealthy, cooling down or missing`);
  }
  return finalOutcome(attempts, walk.problems, walk.lastResponse, walk.lastFailure, walk.deadlineHit);
}
