// A one-line summary of what a reload changed: listeners, routes, clusters, endpoints, filters and the admission block
// added / removed / changed (by name, compared as JSON), and plugins re-imported. Secrets never appear: only names are printed.
import type { BootstrapConfig } from '../config/schema/index.js';
import type { PluginRegistry } from '../registry/index.js';

type Named = Map<string, string>;

function byName<T>(items: readonly T[], name: (t: T, i: number) => string): Named {
  return new Map(items.map((t, i) => [name(t, i), JSON.stringify(t)]));
}

function compare(label: string, before: Named, after: Named): string | undefined {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const [k, v] of after) {
    if (!before.has(k)) added.push(k);
    else if (before.get(k) !== v) changed.push(k);
  }
  for (const k of before.keys()) if (!after.has(k)) removed.push(k);
  const parts = [
    added.length ? `+${added.join(',')}` : '',
    removed.length ? `-${removed.join(',')}` : '',
    changed.length ? `~${changed.join(',')}` : '',
  ].filter(Boolean);
  return parts.length ? `${label} ${parts.join(' ')}` : undefined;
}

function views(c: BootstrapConfig | undefined) {
  const sr = c?.static_resources;
  const listeners = sr?.listeners ?? [];
  const hcms = listeners.map((l) => ({ l, hcm: l.filter_chains.filters.find((f) => f.name === 'dgp.filter.httpconnectionmanager')?.config }));
  return {
    listeners: byName(listeners, (l) => l.name),
    routes: byName(
      hcms.flatMap(({ l, hcm }) => (hcm?.route_config.routes ?? []).map((r, i) => ({ key: `${l.name}/${r.id || i}`, r }))),
      (x) => x.key,
    ),
    filters: byName(
      hcms.flatMap(({ l, hcm }) => (hcm?.http_filters ?? []).map((f) => ({ key: `${l.name}/${f.name}`, f }))),
      (x) => x.key,
    ),
    clusters: byName(sr?.clusters ?? [], (c) => c.name),
    endpoints: byName(
      (sr?.clusters ?? []).flatMap((c) => c.endpoints.map((e, i) => ({ key: `${c.name}/${e.id || i}`, e }))),
      (x) => x.key,
    ),
    admission: byName(c ? [c.admission] : [], () => 'gateway'),
  };
}

export function summarizeDiff(before: BootstrapConfig | undefined, after: BootstrapConfig): string {
  const a = views(before);
  const b = views(after);
  const parts = (Object.keys(b) as Array<keyof typeof b>).map((k) => compare(k, a[k], b[k])).filter(Boolean);
  return parts.length ? parts.join('; ') : 'no changes';
}

/**
 * Plugin kinds added, removed or re-imported (a new module: the manifest object differs) between two registries.
 * Built-ins are imported once per process, so only third-party plugins ever show as changed.
 */
export function summarizePluginDiff(before: PluginRegistry | undefined, after: PluginRegistry): string | undefined {
  if (!before) return undefined;
  const identity = (r: PluginRegistry): Map<string, unknown> => new Map(r.entries().map((e) => [e.kind, e.manifest]));
  const a = identity(before);
  const b = identity(after);
  const added = [...b.keys()].filter((k) => !a.has(k));
  const removed = [...a.keys()].filter((k) => !b.has(k));
  const changed = [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k));
  const parts = [added.length ? `+${added.join(',')}` : '', removed.length ? `-${removed.join(',')}` : '', changed.length ? `~${changed.join(',')}` : ''];
  const text = parts.filter(Boolean).join(' ');
  return text ? `plugins ${text}` : undefined;
}
