// Semantic checks the schema cannot express: durations, one HCM per listener, unique names and addresses, route →
// cluster references, bare-host domains, regexes, TLS files. Every check runs; all problems are reported at once.
// Listener and admin-port checks live in listener-checks.ts, cluster and endpoint checks in cluster-checks.ts.
import { parseDuration } from './duration.js';
import { didYouMean } from './did-you-mean.js';
import { adaptersOf, clusterNames, collectDurations, hcmsOf, items, listenersOf, routesOf, str, sub } from './config-walk.js';
import { child, error, warning, type Finding } from './problems.js';
import { bootstrapJsonSchema } from './schema/index.js';
import { checkAdmin, checkListeners } from './listener-checks.js';
import { checkClusters } from './cluster-checks.js';

/** `value` has the defaults applied; `raw` is the file as written (to tell a written field from a default). */
export function semanticChecks(value: unknown, raw: unknown = value): Finding[] {
  return [...checkDurations(value), ...checkListeners(value), ...checkClusters(value), ...checkRoutes(value), ...checkAdmin(value, raw), ...checkAdapterIds(value)];
}

/** Filters name stores by adapter id, so two adapters must never share one. */
function checkAdapterIds(value: unknown): Finding[] {
  const out: Finding[] = [];
  const seen = new Map<string, string>();
  for (const a of adaptersOf(value)) {
    const id = typeof a.v.id === 'number' ? String(a.v.id) : str(a.v.id);
    if (!id) continue;
    const other = seen.get(id);
    if (other !== undefined) out.push(error('DGP_ERR_CONFIG_DUPLICATE', child(a.ptr, 'id'), `duplicate adapter id "${id}" (also at ${other})`, 'give every adapter its own id'));
    else seen.set(id, a.ptr);
  }
  return out;
}

function checkDurations(value: unknown): Finding[] {
  const out: Finding[] = [];
  for (const d of collectDurations(bootstrapJsonSchema, value)) {
    if (typeof d.v !== 'string' && typeof d.v !== 'number') continue;
    try {
      parseDuration(d.v);
    } catch (err) {
      const e = err as { message: string; hint?: string };
      out.push(error('DGP_ERR_CONFIG_DURATION', d.ptr, `${JSON.stringify(d.v)} is not a duration`, e.hint));
    }
  }
  return out;
}

function checkRoutes(value: unknown): Finding[] {
  const out: Finding[] = [];
  const clusters = clusterNames(value);
  const adapters = adaptersOf(value).filter((a) => a.v.enabled !== false && a.v.enabled !== 'false');
  for (const l of listenersOf(value)) {
    for (const hcm of hcmsOf(l)) {
      for (const r of routesOf(hcm)) {
        const match = sub(r, 'match');
        const regex = str(match?.v.regex);
        if (regex) out.push(...checkRegex(regex, child(match!.ptr, 'regex')));
        for (const h of items(match, 'headers')) {
          const first = Array.isArray(h.v.values) ? h.v.values[0] : undefined;
          if (h.v.regex === true && typeof first === 'string') out.push(...checkRegex(first, child(child(h.ptr, 'values'), 0)));
        }
        const target = sub(r, 'route');
        const cluster = str(target?.v.cluster);
        if (cluster === undefined || clusters.includes(cluster)) continue;
        const ptr = child(target!.ptr, 'cluster');
        const hint = didYouMean(cluster, clusters) ?? `define it under static_resources.clusters (defined: ${clusters.join(', ') || 'none'})`;
        if (adapters.length > 0) {
          const from = adapters.map((a) => str(a.v.name)).join(', ');
          out.push(warning('DGP_ERR_CONFIG_REFERENCE', ptr, `route cluster "${cluster}" is not defined in this file; it must come from an adapter (${from})`, didYouMean(cluster, clusters) ?? `make sure the registry publishes endpoints for cluster "${cluster}", or define it under static_resources.clusters`));
        } else {
          out.push(error('DGP_ERR_CONFIG_REFERENCE', ptr, `route cluster "${cluster}" is not defined`, hint));
        }
      }
    }
  }
  return out;
}

function checkRegex(source: string, ptr: string): Finding[] {
  try {
    new RegExp(source, 'u');
    return [];
  } catch (err) {
    return [error('DGP_ERR_CONFIG_SCHEMA', ptr, `invalid regular expression: ${(err as Error).message}`, 'use JavaScript regular expression syntax')];
  }
}
