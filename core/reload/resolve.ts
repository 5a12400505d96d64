// Resolves every Kind a config names to a loaded plugin and validates each plugin config against its configSchema,
// collecting ALL problems with file:line: terminal filters come last, and every route's per-filter overrides merge
// into valid configs (route-overrides.ts). Used by `dgp validate` (no create, no sockets; also on a config that has
// schema errors, read leniently, so every problem is listed at once) and by generation builds.
import type { PluginType } from '../plugin-api.js';
import type { LoadedConfig, Problem } from '../config/load.js';
import { PIXIU_TOLERATED_AFTER_TERMINAL } from '../config/pixiu-compat.js';
import { isDgpError } from '../errors.js';
import type { PluginEntry } from '../registry/types.js';
import { validatePluginConfig, type PluginRegistry } from '../registry/index.js';
import { resolveRouteOverrides, type ResolvedRoute } from './route-overrides.js';

export const HCM_KIND = 'dgp.filter.httpconnectionmanager';

export interface ResolvedPlugin {
  readonly entry: PluginEntry;
  readonly config: Readonly<Record<string, unknown>>;
  /** JSON pointer of the config in conf.yaml (for a route override: of the override). */
  readonly pointer: string;
  /** An adapter's `id` (stores are referenced by it); '' for filters and adapters without one. */
  readonly id: string;
}

export interface ResolvedListener {
  /** The HCM's index in filter_chains.filters (-1 when there is none). */
  hcmIndex: number;
  /** The chain, in http_filters order. */
  filters: ResolvedPlugin[];
  /** Routes carrying `filters:` overrides, each with its own chain. */
  routes: ResolvedRoute[];
}

export interface ResolvedConfig {
  /** Per listener, same index as static_resources.listeners. */
  listeners: ResolvedListener[];
  adapters: ResolvedPlugin[];
  /** Every loaded provider plugin with its schema defaults (no config section names them: endpoints do). */
  providers: ResolvedPlugin[];
  problems: Problem[];
}

export type ProblemSink = (pointer: string, code: string, message: string, hint?: string) => void;

interface PluginRef {
  id?: unknown;
  name?: unknown;
  config?: unknown;
  enabled?: unknown;
}

export const rec = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Works on the normalised config and on a raw (possibly invalid) parsed value alike. */
export function resolvePlugins(config: unknown, loaded: Pick<LoadedConfig, 'locate'>, registry: PluginRegistry): ResolvedConfig {
  const problems: Problem[] = [];
  const out: ResolvedConfig = { listeners: [], adapters: [], providers: [], problems };
  const problem: ProblemSink = (pointer, code, message, hint) => {
    const at = loaded.locate(pointer);
    problems.push({ code, severity: 'error', message, pointer, file: at.file, line: at.line, col: at.col, ...(hint ? { hint } : {}) });
  };
  const resolveEntry = (ref: PluginRef, pointer: string, type: PluginType): PluginEntry | undefined => {
    if (typeof ref.name !== 'string' || ref.name === '') return undefined; // the schema check reports it
    try {
      return registry.resolve(ref.name, type);
    } catch (err) {
      if (!isDgpError(err)) throw err;
      problem(`${pointer}/name`, err.code, err.message, err.hint);
      return undefined;
    }
  };
  const resolveOne = (ref: PluginRef, pointer: string, type: PluginType): ResolvedPlugin | undefined => {
    const entry = resolveEntry(ref, pointer, type);
    const id = typeof ref.id === 'string' || typeof ref.id === 'number' ? String(ref.id) : '';
    return entry && validated(entry, ref.config ?? {}, `${pointer}/config`, problem, id);
  };

  const sr = rec(rec(config).static_resources);
  list(sr.listeners).forEach((listener, li) => {
    const chain = list(rec(rec(listener).filter_chains).filters);
    const hcmIndex = chain.findIndex((f) => rec(f).name === HCM_KIND);
    const resolved: ResolvedListener = { hcmIndex, filters: [], routes: [] };
    out.listeners.push(resolved);
    if (hcmIndex < 0) return;
    const hcm = rec(rec(chain[hcmIndex]).config);
    const base = `/static_resources/listeners/${li}/filter_chains/filters/${hcmIndex}/config`;
    const refs = list(hcm.http_filters).map((f) => rec(f) as PluginRef);
    const entries = refs.map((ref, fi) => resolveEntry(ref, `${base}/http_filters/${fi}`, 'filter'));
    checkTerminalLast(refs, entries, `${base}/http_filters`, problem, loaded);
    const aligned = refs.map((ref, fi) => {
      const entry = entries[fi];
      return entry && validated(entry, ref.config ?? {}, `${base}/http_filters/${fi}/config`, problem);
    });
    resolved.filters = aligned.filter((p): p is ResolvedPlugin => p !== undefined);
    resolved.routes = resolveRouteOverrides(rec(hcm.route_config).routes, `${base}/route_config/routes`, refs, aligned, problem);
  });
  list(sr.adapters).forEach((a, ai) => {
    const ref = rec(a) as PluginRef;
    if (ref.enabled === false || ref.enabled === 'false') return;
    const resolved = resolveOne(ref, `/static_resources/adapters/${ai}`, 'adapter');
    if (resolved) out.adapters.push(resolved);
  });
  // A provider whose defaults do not validate is a load-time error, never a request-time one.
  for (const entry of registry.entries()) {
    if (entry.type !== 'provider') continue;
    const { config: cfg, issues } = validatePluginConfig(entry, {});
    for (const issue of issues) problem('', 'DGP_ERR_PLUGIN_CONFIG', `${entry.kind} (${entry.source.folder}): its schema defaults do not validate: ${issue.pointer || '/'} ${issue.message}`, issue.hint);
    if (issues.length === 0) out.providers.push({ entry, config: cfg as Readonly<Record<string, unknown>>, pointer: `provider ${entry.kind}`, id: '' });
  }
  return out;
}

function validated(entry: PluginEntry, raw: unknown, pointer: string, problem: ProblemSink, id = ''): ResolvedPlugin | undefined {
  const { config, issues } = validatePluginConfig(entry, raw);
  for (const issue of issues) problem(`${pointer}${issue.pointer}`, 'DGP_ERR_PLUGIN_CONFIG', `${entry.kind}: ${issue.message}`, issue.hint);
  return issues.length ? undefined : { entry, config: config as Readonly<Record<string, unknown>>, pointer, id };
}

/**
 * A terminal filter (the proxy) produces the answer: a filter listed after it could only act once the upstream call
 * is over, or never (when the terminal one replies with Stop). Pixiu's own tokenizer-after-proxy layout is tolerated
 * (a compat warning, see pixiu-compat.ts).
 */
function checkTerminalLast(refs: PluginRef[], entries: Array<PluginEntry | undefined>, pointer: string, problem: ProblemSink, loaded: Pick<LoadedConfig, 'locate'>): void {
  const t = entries.findIndex((e) => e?.manifest.terminal === true);
  if (t < 0) return;
  const terminal = entries[t]!.kind;
  const tolerated = PIXIU_TOLERATED_AFTER_TERMINAL[terminal] ?? [];
  const at = loaded.locate(`${pointer}/${t}/name`);
  for (let i = t + 1; i < refs.length; i++) {
    const name = typeof refs[i]!.name === 'string' ? String(refs[i]!.name) : `http_filters[${i}]`;
    if (tolerated.includes(name)) continue;
    problem(
      `${pointer}/${i}/name`,
      'DGP_ERR_CONFIG_FILTER_ORDER',
      `filter "${name}" is listed after the terminal filter "${terminal}" (line ${at.line}), which produces the answer: ` +
        `${name} could not act on the request, and would not run at all when ${terminal} replies with an error`,
      `move ${name} before ${terminal}`,
    );
  }
}
