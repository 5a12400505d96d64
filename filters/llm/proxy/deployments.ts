// A model group's candidate endpoints in the order they are tried: priorities high to low (APISIX: a lower priority
// only when the higher ones are out), within one priority by the group's strategy (weighted random, least requests in
// flight, lowest recent latency), each deployment expanded to its endpoint or to its cluster's endpoints from the LB pick.
import type { ClusterManagerApi, EndpointView, HashSource, LlmMeta } from '../../../core/index.js';
import type { Deployment, ModelGroup } from './model-groups.js';
import type { RouteTrace } from './route-trace.js';

export interface Candidate {
  readonly cluster: string;
  /** The endpoint as configured: health, cooldown and retry policy are read from it. */
  readonly base: EndpointView;
  /** The endpoint the attempt is built for: `base` with the deployment's upstream model forced. */
  readonly endpoint: EndpointView;
  /** The deployment's upstream model; undefined = the model the client asked for. */
  readonly model: string | undefined;
}

/** Views with a deployment's model forced (llm_meta.options.model), one per (view, model), dropped with the view. */
const withModels = new WeakMap<EndpointView, Map<string, EndpointView>>();

export function withUpstreamModel(ep: EndpointView, model: string | undefined): EndpointView {
  if (model === undefined) return ep;
  let byModel = withModels.get(ep);
  if (byModel === undefined) withModels.set(ep, (byModel = new Map()));
  let view = byModel.get(model);
  if (view === undefined) {
    const llm: LlmMeta = ep.llmMeta ?? { provider: '', api_key: '', fallback: false, health_check_interval: 0, retry_policy: { name: 'NoRetry', config: {} } };
    const options = typeof llm.options === 'object' && llm.options !== null ? (llm.options as Record<string, unknown>) : {};
    view = Object.freeze({ ...ep, llmMeta: Object.freeze({ ...llm, options: { ...options, model } }) });
    byModel.set(model, view);
  }
  return view;
}

type Load = (c: Candidate) => number;

/** A deployment's price for ranking (nano-USD of a reference request), undefined when the book does not know it. */
export type PriceOf = (provider: string, model: string) => number | undefined;

/** Weighted random order (LiteLLM simple-shuffle): each next pick by weight among the rest; weight 0 goes last. */
function shuffleByWeight(list: readonly Deployment[], random: () => number): Deployment[] {
  const rest = list.filter((d) => d.weight > 0);
  const out: Deployment[] = [];
  while (rest.length > 0) {
    const total = rest.reduce((n, d) => n + d.weight, 0);
    let r = random() * total;
    let i = 0;
    while (i < rest.length - 1 && (r -= rest[i]!.weight) >= 0) i++;
    out.push(...rest.splice(i, 1));
  }
  return [...out, ...list.filter((d) => d.weight <= 0)];
}

export interface OrderInput {
  group: ModelGroup;
  routeCluster: string;
  clusters: ClusterManagerApi;
  hash: HashSource;
  trace: RouteTrace;
  /** The model the client asked for (priced when a deployment names none). */
  requested: string | undefined;
  /** strategy: cost. */
  price?: PriceOf;
  random?: () => number;
}

export function orderCandidates({ group, routeCluster, clusters, hash, trace, requested, price, random = Math.random }: OrderInput): Candidate[] {
  const stats = clusters.stats;
  const priced = (c: Candidate): number => {
    const provider = typeof c.base.llmMeta?.provider === 'string' && c.base.llmMeta.provider !== '' ? c.base.llmMeta.provider : 'openai';
    const model = c.model ?? requested;
    return (model === undefined ? undefined : price?.(provider, model)) ?? Infinity;
  };
  const load: Load | undefined =
    group.strategy === 'least_request'
      ? (c) => stats?.view(c.cluster, c.base.id).in_flight ?? 0
      : group.strategy === 'latency'
        ? (c) => stats?.view(c.cluster, c.base.id).latency_ms ?? 0 // unknown latency first: a new endpoint gets measured
        : group.strategy === 'cost'
          ? priced
          : undefined;
  const tiers = [...new Set(group.deployments.map((d) => d.priority))].sort((a, b) => b - a);
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const priority of tiers) {
    const tier = group.deployments.filter((d) => d.priority === priority);
    const expanded = (load === undefined ? shuffleByWeight(tier, random) : tier).flatMap((d) => expand(d, routeCluster, clusters, hash, trace, load));
    if (load !== undefined) {
      const score = new Map(expanded.map((c) => [c, load(c)]));
      // Stable: equal scores keep the configured order (Infinity - Infinity is NaN, so compare, do not subtract).
      expanded.sort((a, b) => {
        const x = score.get(a)!;
        const y = score.get(b)!;
        return x < y ? -1 : x > y ? 1 : 0;
      });
    }
    for (const c of expanded) {
      const key = `${c.cluster}\u0000${c.base.id}\u0000${c.model ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(c);
      }
    }
  }
  return out;
}

function expand(d: Deployment, routeCluster: string, clusters: ClusterManagerApi, hash: HashSource, trace: RouteTrace, load: Load | undefined): Candidate[] {
  const cluster = d.cluster ?? routeCluster;
  const make = (base: EndpointView): Candidate => ({ cluster, base, endpoint: withUpstreamModel(base, d.model), model: d.model });
  if (!clusters.hasCluster(cluster)) {
    trace.note(cluster, d.endpoint ?? '*', 'not_found');
    return [];
  }
  if (d.endpoint !== undefined) {
    const ep = clusters.getEndpoint(cluster, d.endpoint);
    if (ep === undefined) trace.note(cluster, d.endpoint, 'not_found');
    return ep === undefined ? [] : [make(ep)];
  }
  const list = clusters.endpoints(cluster);
  if (load !== undefined) return list.map(make);
  // The cluster's own LB policy picks where to start; the rest follow in list order, wrapping.
  const start = clusters.pickEndpoint(cluster, hash);
  const at = start === undefined ? 0 : Math.max(0, list.findIndex((e) => e.id === start.id));
  return list.map((_, k) => make(list[(at + k) % list.length]!));
}
