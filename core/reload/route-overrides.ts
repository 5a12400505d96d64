// Per-route filter config (Envoy's typed_per_filter_config): checks each route's `route.filters` overrides, merged
// into the listener's filter configs by the rule of core/config/deep-merge.ts, and says which filters of the route's
// own chain need a fresh instance; the others share the listener's.
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
 * `refs` are the listener's http_filters as written and `chain` their resolved plugins, same order (undefined where
 * the filter itself is broken: that is reported already, and its overrides are not checked). Returns the routes with
 * overrides; reports unknown kinds and invalid merged configs through `problem`.
 */
export function resolveRouteOverrides(
  routes: unknown,
  pointer: string,
  refs: ReadonlyArray<{ name?: unknown; config?: unknown }>,
  chain: ReadonlyArray<ResolvedPlugin | undefined>,
  problem: ProblemSink,
): ResolvedRoute[] {
  const kinds = refs.map((r) => (typeof r.name === 'string' ? r.name : ''));
  const known = [...new Set(kinds.filter((k) => k !== ''))];
  const out: ResolvedRoute[] = [];
  list(routes).forEach((route, ri) => {
    const overrides = rec(rec(route).route).filters;
    if (overrides === undefined || Object.keys(rec(overrides)).length === 0) return;
    const at = `${pointer}/${ri}/route/filters`;
    const filters: Array<ResolvedPlugin | undefined> = [...chain];
    const overridden = new Set<number>();
    let ok = true;
    for (const [kind, override] of Object.entries(rec(overrides))) {
      const where = `${at}/${escape(kind)}`;
      const positions = kinds.flatMap((k, i) => (k === kind ? [i] : []));
      if (positions.length === 0) {
        problem(
          where,
          'DGP_ERR_CONFIG_ROUTE_FILTER',
          `route override for "${kind}", which is not in this listener's http_filters (${known.join(', ') || 'none'})`,
          didYouMean(kind, known) ?? `add ${kind} to http_filters, or remove the override`,
        );
        ok = false;
        continue;
      }
      for (const i of positions) {
        const base = chain[i];
        if (base === undefined) {
          ok = false; // the filter itself is broken (reported at http_filters); its override is checked once it is fixed
          continue;
        }
        const { config, issues } = validatePluginConfig(base.entry, deepMerge(refs[i]!.config ?? {}, override));
        for (const issue of issues) {
          problem(`${where}${issue.pointer}`, 'DGP_ERR_PLUGIN_CONFIG', `${kind} (merged with this route's override): ${issue.message}`, issue.hint);
        }
        if (issues.length > 0) {
          ok = false;
          break;
        }
        filters[i] = { entry: base.entry, config: config as Readonly<Record<string, unknown>>, pointer: where, id: '' };
        overridden.add(i);
      }
    }
    if (ok && filters.every((p) => p !== undefined)) out.push({ index: ri, filters: filters as ResolvedPlugin[], overridden });
  });
  return out;
}

/** RFC 6901: kinds contain dots, never `/` or `~` in practice, but a typo may. */
function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
