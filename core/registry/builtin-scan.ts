// Finds the built-in plugins: `<root>/filters/<group>/<name>/index.<ext>` and `<root>/adapters/<a>/<b>/index.<ext>`,
// and says which kind and type each folder dictates. <root> is `dist/` when running compiled, the repo root under tsx.
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isFile } from './fs-probe.js';
import type { FolderExpectation, PluginCandidate } from './types.js';

/** Two levels above this module: `dist/` (compiled) or the repository root (TypeScript sources under tsx). */
export const DEFAULT_BUILTIN_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Built-ins have the extension of the running module: a compiled host must never try to import `.ts` files. */
export const RUNNING_EXT: 'ts' | 'js' = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

const BUILTIN_TOPS = ['filters', 'adapters'] as const;

/**
 * The kinds and type a built-in folder dictates, from its last three path segments:
 * `filters/llm/proxy` → dgp.filter.llm.proxy (filter); `adapters/provider/openai` → dgp.adapter.provider.openai
 * (provider); `adapters/registry/nacos` → dgp.adapter.registry.nacos or Pixiu's dgp.adapter.llmregistrycenter.
 */
export function expectedForFolder(folder: string): FolderExpectation | undefined {
  const [top, group, name] = folder.split(/[\\/]+/).filter(Boolean).slice(-3);
  if (group === undefined || name === undefined) return undefined;
  if (top === 'filters') return { kinds: [`dgp.filter.${group}.${name}`], type: 'filter' };
  if (top !== 'adapters') return undefined;
  const own = `dgp.adapter.${group}.${name}`;
  if (group === 'provider') return { kinds: [own], type: 'provider' };
  if (group === 'registry') return { kinds: [own, 'dgp.adapter.llmregistrycenter'], type: 'adapter' };
  return { kinds: [own], type: 'adapter' };
}

/** Every built-in entry under `root`, in a stable (sorted) order. Folders without an index file are helpers. */
export async function scanBuiltins(root: string, ext: 'ts' | 'js'): Promise<PluginCandidate[]> {
  const pkg = await readOwnPackage(root);
  const found: PluginCandidate[] = [];
  for (const top of BUILTIN_TOPS) {
    for (const group of await subdirs(join(root, top))) {
      for (const name of await subdirs(join(root, top, group))) {
        const folder = join(root, top, group, name);
        const entry = join(folder, `index.${ext}`);
        if (!(await isFile(entry))) continue;
        found.push({ folder, entry, builtin: true, ...pkg, expected: expectedForFolder(folder) });
      }
    }
  }
  return found;
}

async function subdirs(dir: string): Promise<string[]> {
  const items = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return items.filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
}

/** The gateway's own package.json: in `root` (repo) or its parent (`dist/..`). */
async function readOwnPackage(root: string): Promise<{ version: string | undefined; packageName: string | undefined }> {
  const normalized = root.endsWith(sep) ? root.slice(0, -1) : root;
  for (const dir of [normalized, dirname(normalized)]) {
    const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
      return { version: stringOr(pkg.version), packageName: stringOr(pkg.name) ?? basename(dir) };
    } catch {
      break;
    }
  }
  return { version: undefined, packageName: undefined };
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
