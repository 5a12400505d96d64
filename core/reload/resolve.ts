// Resolves every Kind a config names to a loaded plugin and validates each plugin config against its configSchema,
// collecting ALL problems with file:line. Used by `dgp validate` (no create, no sockets; also on a config that has
// schema errors, read leniently, so every problem is listed at once) and by generation builds.
import type { PluginType } from '../plugin-api.js';
import type { LoadedConfig, Problem } from '../config/load.js';
import { isDgpError } from '../errors.js';
import type { PluginEntry } from '../registry/types.js';
import { validatePluginConfig, type PluginRegistry } from '../registry/index.js';

export const HCM_KIND = 'dgp.filter.httpconnectionmanager';

export interface ResolvedPlugin {
  readonly entry: PluginEntry;
  readonly config: Readonly<Record<string, unknown>>;
  /** JSON pointer of the config in conf.yaml. */
  readonly pointer: string;
  /** An adapter's `id` (stores are referenced by it); '' for filters and adapters without one. */
  readonly id: string;
}

export interface ResolvedConfig {
  /** Per listener (same index as static_resources.listeners): the HCM's index in filter_chains.filters and its filters. */
  listeners: Array<{ hcmIndex: number; filters: ResolvedPlugin[] }>;
  adapters: ResolvedPlugin[];
  problems: Problem[];
}

interface PluginRef {
  id?: unknown;
  name?: unknown;
  config?: unknown;
  enabled?: unknown;
}

const rec = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Works on the normalised config and on a raw (possibly invalid) parsed value alike. */
export function resolvePlugins(config: unknown, loaded: Pick<LoadedConfig, 'locate'>, registry: PluginRegistry): ResolvedConfig {
  const problems: Problem[] = [];
  const out: ResolvedConfig = { listeners: [], adapters: [], problems };
  const problem = (pointer: string, code: string, message: string, hint?: string): void => {
    const at = loaded.locate(pointer);
    problems.push({ code, severity: 'error', message, pointer, file: at.file, line: at.line, col: at.col, ...(hint ? { hint } : {}) });
  };
  const resolveOne = (ref: PluginRef, pointer: string, type: PluginType): ResolvedPlugin | undefined => {
    if (typeof ref.name !== 'string' || ref.name === '') return undefined; // the schema check reports it
    let entry: PluginEntry;
    try {
      entry = registry.resolve(ref.name, type);
    } catch (err) {
      if (!isDgpError(err)) throw err;
      problem(`${pointer}/name`, err.code, err.message, err.hint);
      return undefined;
    }
    const { config: cfg, issues } = validatePluginConfig(entry, ref.config ?? {});
    for (const issue of issues) problem(`${pointer}/config${issue.pointer}`, 'DGP_ERR_PLUGIN_CONFIG', `${ref.name}: ${issue.message}`, issue.hint);
    const id = typeof ref.id === 'string' || typeof ref.id === 'number' ? String(ref.id) : '';
    return issues.length ? undefined : { entry, config: cfg as Readonly<Record<string, unknown>>, pointer: `${pointer}/config`, id };
  };

  const sr = rec(rec(config).static_resources);
  list(sr.listeners).forEach((listener, li) => {
    const chain = list(rec(rec(listener).filter_chains).filters);
    const hcmIndex = chain.findIndex((f) => rec(f).name === HCM_KIND);
    const filters: ResolvedPlugin[] = [];
    out.listeners.push({ hcmIndex, filters });
    if (hcmIndex < 0) return;
    list(rec(rec(chain[hcmIndex]).config).http_filters).forEach((f, fi) => {
      const pointer = `/static_resources/listeners/${li}/filter_chains/filters/${hcmIndex}/config/http_filters/${fi}`;
      const resolved = resolveOne(rec(f) as PluginRef, pointer, 'filter');
      if (resolved) filters.push(resolved);
    });
  });
  list(sr.adapters).forEach((a, ai) => {
    const ref = rec(a) as PluginRef;
    if (ref.enabled === false || ref.enabled === 'false') return;
    const resolved = resolveOne(ref, `/static_resources/adapters/${ai}`, 'adapter');
    if (resolved) out.adapters.push(resolved);
  });
  return out;
}
