// Where the endpoint walk of dgp.filter.llm.proxy goes after an endpoint fails: Pixiu's list order (wrapping by
// default), or with llm_meta.priority groups, the pick's group first and then the lower groups (APISIX semantics).
import type { EndpointView } from '../../../core/index.js';
import type { StrategyDeps } from './strategy.js';

/**
 * The next endpoint of the walk; as in Pixiu, the fallback flag of the endpoint being left decides whether there is one.
 * Wrapping (the default) goes on from the start of the list after its end, so every healthy endpoint is reachable
 * whichever one the LB picked (the walk stops when it comes back to the pick); Pixiu's order stops at the end.
 */
export function fallbackAfter(d: StrategyDeps, cluster: string, from: EndpointView, order: readonly EndpointView[] | undefined): EndpointView | undefined {
  if (!from.llmMeta?.fallback) return undefined;
  if (order !== undefined) {
    for (let k = order.findIndex((e) => e.id === from.id) + 1; k > 0 && k < order.length; k++) if (order[k]!.healthy) return order[k];
    return undefined;
  }
  if (!d.options.fallbackWrap) return d.clusters.nextHealthyEndpoint(cluster, from.id);
  const list = d.clusters.endpoints(cluster);
  const at = list.findIndex((e) => e.id === from.id);
  if (at < 0) return undefined;
  for (let k = 1; k < list.length; k++) {
    const e = list[(at + k) % list.length]!;
    if (e.healthy) return e;
  }
  return undefined;
}

const priorityOf = (ep: EndpointView): number => (typeof ep.llmMeta?.priority === 'number' ? ep.llmMeta.priority : 0);

/**
 * With llm_meta.priority groups, the fallback order (APISIX): the rest of the pick's group from the pick on, wrapping
 * within the group, then the lower groups high to low, then higher ones (those the LB passed over, all cooling down).
 * undefined without priorities: the walk is Pixiu's list order.
 */
export function priorityOrder(clusters: StrategyDeps['clusters'], cluster: string, pick: EndpointView): EndpointView[] | undefined {
  const sorted = clusters.endpointsByPriority?.(cluster);
  if (sorted === undefined || sorted === clusters.endpoints(cluster)) return undefined;
  const p = priorityOf(pick);
  const same = sorted.filter((e) => priorityOf(e) === p);
  const at = Math.max(0, same.findIndex((e) => e.id === pick.id));
  return [...same.slice(at), ...same.slice(0, at), ...sorted.filter((e) => priorityOf(e) < p), ...sorted.filter((e) => priorityOf(e) > p)];
}


/**
 * CostAware's fallback order: the pick, then the rest of its priority group cheapest first, then the lower groups high
 * to low (each cheapest first), then the higher ones; unpriced endpoints last within a group, list order among equals.
 */
export function costOrder(clusters: StrategyDeps['clusters'], cluster: string, pick: EndpointView, price: (ep: EndpointView) => number | undefined): EndpointView[] {
  const sorted = clusters.endpointsByPriority?.(cluster) ?? clusters.endpoints(cluster);
  const cheapestFirst = (list: EndpointView[]): EndpointView[] => {
    const score = new Map(list.map((e) => [e, price(e) ?? Infinity]));
    // Stable, and Infinity - Infinity is NaN: compare, do not subtract.
    return list.sort((a, b) => (score.get(a)! < score.get(b)! ? -1 : score.get(a)! > score.get(b)! ? 1 : 0));
  };
  const p = priorityOf(pick);
  const tiers = [...new Set(sorted.map(priorityOf))].sort((a, b) => b - a);
  const group = (q: number) => cheapestFirst(sorted.filter((e) => priorityOf(e) === q && e !== pick));
  return [pick, ...group(p), ...tiers.filter((q) => q < p).flatMap(group), ...tiers.filter((q) => q > p).flatMap(group)];
}
