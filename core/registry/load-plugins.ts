// Loads every plugin a generation may use: the built-ins (imported once per process) and the third-party packages of
// the plugin directories (re-imported on reload when `cacheBust` is set). Problems are collected, never thrown.
import type { Logger } from 'pino';
import { DEFAULT_BUILTIN_ROOT, RUNNING_EXT, scanBuiltins } from './builtin-scan.js';
import { importCandidate, type ImportResult } from './import-entry.js';
import { scanPluginDirs } from './package-scan.js';
import { linkSdkForPlugins } from './sdk-link.js';
import type { PluginTrust } from './plugin-trust.js';
import { PluginRegistry } from './plugin-registry.js';
import type { PluginCandidate } from './types.js';

export interface LoadPluginsOptions {
  /** Absolute plugin directories: the config's `plugins.dirs` (resolved) followed by every `--plugin-dir`. */
  pluginDirs: readonly string[];
  log?: Logger;
  /** Hot reload: import third-party entries under a fresh URL when the file changed. Built-ins never re-import. */
  cacheBust?: boolean;
  /** Where `filters/` and `adapters/` are scanned; `false` skips built-ins. Default: `dist/` or the repo root. */
  builtinRoot?: string | false;
  /** Extension of built-in entries. Default: that of the running module ('ts' under tsx, 'js' compiled). */
  builtinExt?: 'ts' | 'js';
  /** plugins.allow_unsafe and plugins.integrity (third-party packages only). */
  trust?: PluginTrust;
}

// Keyed by root and extension; a promise so that concurrent first loads share one scan.
const builtinCache = new Map<string, Promise<ImportResult>>();

export async function loadPlugins(opts: LoadPluginsOptions): Promise<PluginRegistry> {
  const root = opts.builtinRoot ?? DEFAULT_BUILTIN_ROOT;
  const builtins: ImportResult = root === false ? { entries: [], problems: [] } : await loadBuiltins(root, opts.builtinExt ?? RUNNING_EXT);
  const scan = await scanPluginDirs(opts.pluginDirs, opts.trust);
  for (const w of scan.warnings) opts.log?.warn({ code: 'DGP_ERR_PLUGIN_UNSAFE' }, w);
  if (scan.candidates.length > 0) linkSdkForPlugins();
  const third = await importAll(scan.candidates, opts.cacheBust === true);
  const registry = new PluginRegistry(
    [...builtins.entries, ...third.entries],
    [...builtins.problems, ...scan.problems, ...third.problems],
  );
  opts.log?.debug(
    { plugins: registry.kinds().length, problems: registry.problems.length, dirs: opts.pluginDirs },
    'plugins loaded',
  );
  return registry;
}

function loadBuiltins(root: string, ext: 'ts' | 'js'): Promise<ImportResult> {
  const key = `${ext}:${root}`;
  let cached = builtinCache.get(key);
  if (cached === undefined) {
    cached = scanBuiltins(root, ext).then((candidates) => importAll(candidates, false));
    builtinCache.set(key, cached);
  }
  return cached;
}

/** Imports in order (not in parallel) so that duplicate-kind reports and load order are deterministic. */
async function importAll(candidates: readonly PluginCandidate[], cacheBust: boolean): Promise<ImportResult> {
  const all: ImportResult = { entries: [], problems: [] };
  for (const candidate of candidates) {
    const { entries, problems } = await importCandidate(candidate, cacheBust);
    all.entries.push(...entries);
    all.problems.push(...problems);
  }
  return all;
}
