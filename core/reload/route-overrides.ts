// Per-route filter config (Envoy's typed_per_filter_config): a route's `route.filters` maps a filter kind of the
// listener's chain to an override. The override is deep-merged into that filter's config as written in http_filters
// (core/config/deep-merge.ts), and the result is validated against the filter's configSchema with defaults applied;
// issues point into the override. Each overriding route gets its own chain: the listener's instances, except the
// overridden filters, which the generation creates again from the merged config.
import { deepMerge } from '../config/deep-merge.js';
import { didYouMean } from '../config/did-you-mean.js';
import { validatePluginConfig } from '../registry/index.js';
import { list, rec, type ProblemSink, type ResolvedPlugin } from './resolve.js';

export interface ResolvedRoute {
  /** Index of the route in route_config.routes (the Router's route index). */
  readonly index: number;
  /** The route's chain, in http_filters order: the listener's plugins with the overridden ones replaced. */
  readonly filters: readonly ResolvedPlugin[];
  /** Positions in `filters` that need an instance of their own (the others share the listener's instances). */
  readonly overridden: ReadonlySet<number>;
}

/**
 * `refs` are the listener's http_filters as written and `chain` their resolved plugins (same order, all valid).
 * Returns the routes with overrides; reports unknown kinds and invalid merged configs through `problem`.
 */
export function resolveRouteOverrides(
  routes: unknown,
  pointer: string,
  refs: ReadonlyArray<{ name?: unknown; config?: unknown }>,
  chain: readonly ResolvedPlugin[],
  problem: ProblemSink,
): ResolvedRoute[] {
  const kinds = chain.map((p) => p.entry.kind);
  const out: ResolvedRoute[] = [];
  list(routes).forEach((route, ri) => {
    const overrides = rec(rec(route).route).filters;
    if (overrides === undefined || Object.keys(rec(overrides)).length === 0) return;
    const at = `${pointer}/${ri}/route/filters`;
    const filters = [...chain];
    const overridden = new Set<number>();
    let ok = true;
    for (const [kind, override] of Object.entries(rec(overrides))) {
      const where = `${at}/${escape(kind)}`;
      const positions = kinds.flatMap((k, i) => (k === kind ? [i] : []));
      if (positions.length === 0) {
        const suggestion = didYouMean(kind, kinds);
        problem(
          where,
          'DGP_ERR_CONFIG_ROUTE_FILTER',
          `route override for "${kind}", which is not in this listener's http_filters (${kinds.join(', ') || 'none'})`,
          suggestion ?? `add ${kind} to http_filters, or remove the override`,
        );
        ok = false;
        continue;
      }
      for (const i of positions) {
        const entry = chain[i]!.entry;
        const { config, issues } = validatePluginConfig(entry, deepMerge(refs[i]!.config ?? {}, override));
        for (const issue of issues) {
          problem(`${where}${issue.pointer}`, 'DGP_ERR_PLUGIN_CONFIG', `${kind} (merged with this route's override): ${issue.message}`, issue.hint);
        }
        if (issues.length > 0) {
          ok = false;
          break;
        }
        filters[i] = { entry, config: config as Readonly<Record<string, unknown>>, pointer: where };
        overridden.add(i);
      }
    }
    if (ok) out.push({ index: ri, filters, overridden });
  });
  return out;
}

/** RFC 6901: kinds contain dots, never `/` or `~` in practice, but a typo may. */
function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
