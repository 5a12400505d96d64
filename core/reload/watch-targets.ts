// What a config depends on, on disk: the config file itself, every file it references (TLS cert/key files, a
// tokenizer.json, any `*_file` / `*_path` value that names an existing file) and every plugin folder. The watcher
// watches the folders these live in and asks `isRelevant` about each path it sees.
import { statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { LoadedConfig } from '../config/load.js';

export interface WatchTargets {
  /** Exact files; their folders are watched one level deep, so rename-over-write and delete-then-create are seen. */
  files: string[];
  /** Folders watched recursively (plugin packages), except node_modules, dot-folders and editor scratch files. */
  dirs: string[];
}

const FILE_KEY = /(_file|_path|^file|^path)$/;
const FILE_VALUE = /\.(json|pem|crt|cer|key|ya?ml|txt)$/i;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Collects the targets of a parsed (env-expanded) config found in `configDir`. */
export function collectTargets(configFile: string, configDir: string, raw: unknown, pluginDirs: readonly string[]): WatchTargets {
  const files = new Set([resolve(configFile)]);
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if (value === '' || URL_LIKE.test(value) || !(FILE_KEY.test(key) || FILE_VALUE.test(value))) return;
      const file = resolve(configDir, value);
      if (isFile(file)) files.add(file);
    } else if (Array.isArray(value)) value.forEach((v) => visit(v, key));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(raw, '');
  return { files: [...files], dirs: [...new Set(pluginDirs.map((d) => resolve(d)))] };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

// Editors write scratch files next to the one being saved (vim's 4913 and .swp, emacs' .#x and x~, JetBrains'
// ___jb_tmp___); reacting to them would only cause no-op reloads.
const SCRATCH = /^(\.|#)|~$|\.(swp|swx|swo|tmp|bak)$|^4913$|___jb_(tmp|old)___$/;

const isUnder = (path: string, dir: string): boolean => {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/** Folders handed to chokidar: each file's folder, and each plugin folder. */
export function watchRoots(t: WatchTargets): string[] {
  return [...new Set([...t.files.map((f) => dirname(f)), ...t.dirs])];
}

/**
 * Whether a path chokidar reports (or is about to descend into) matters. Roots and the folders on the way to a
 * plugin folder are kept so chokidar can reach them; anything else in a watched file's folder is ignored.
 */
export function isRelevant(t: WatchTargets, path: string): boolean {
  const p = resolve(path);
  if (t.files.includes(p)) return true;
  for (const dir of t.dirs) {
    if (p === dir || isUnder(dir, p)) return true;
    if (isUnder(p, dir)) {
      const parts = relative(dir, p).split(sep);
      return !parts.some((s) => s === 'node_modules' || s.startsWith('.')) && !SCRATCH.test(basename(p));
    }
  }
  return watchRoots(t).includes(p);
}

/**
 * What to watch while `attempted` is tried: its targets (with every plugin folder it or the serving config names), plus
 * the serving config's files, so fixing a file either one references triggers the next reload.
 */
export function watchTargetsOf(attempted: LoadedConfig, serving: LoadedConfig | undefined, extraPluginDirs: readonly string[]): WatchTargets {
  const rawDirs = (attempted.raw as { plugins?: { dirs?: unknown } } | undefined)?.plugins?.dirs;
  const dirs = [
    ...(Array.isArray(rawDirs) ? rawDirs.filter((d): d is string => typeof d === 'string').map((d) => resolve(attempted.configDir, d)) : []),
    ...(serving?.config?.plugins.dirs ?? []),
    ...extraPluginDirs.map((d) => resolve(d)),
  ];
  const targets = collectTargets(attempted.file, attempted.configDir, attempted.raw, dirs);
  if (!serving || serving === attempted) return targets;
  const good = collectTargets(serving.file, serving.configDir, serving.raw, []);
  return { files: [...new Set([...targets.files, ...good.files])], dirs: targets.dirs };
}
