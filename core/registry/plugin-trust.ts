// What gets loaded is the defence (Envoy's threat model: loaded code is trusted): a third-party package is refused
// when its folder or entry resolves (realpath) outside the plugin directory, when either is writable by every user,
// or, with plugins.integrity set, when it is not pinned there or its entry's sha256 differs. plugins.allow_unsafe turns
// the first two into warnings. The hash covers the entry file only; pin a bundled entry to cover its imports.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, sep } from 'node:path';
import type { PluginCandidate, RegistryProblem } from './types.js';

export interface PluginTrust {
  /** Load symlinked-out or world-writable packages with a warning instead of refusing them. */
  allowUnsafe?: boolean;
  /** Package folder name → sha256 hex of its entry; undefined = no allowlist. */
  integrity?: Readonly<Record<string, string>>;
}

export interface TrustVerdict {
  problem?: RegistryProblem;
  warning?: string;
}

const outside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
};

/** Checks one package found under `realDir` (the plugin directory's real path); `realFolder` is the package's. */
export async function checkTrust(candidate: PluginCandidate, realDir: string, realFolder: string, trust: PluginTrust): Promise<TrustVerdict> {
  const folder = candidate.folder;
  const unsafe: string[] = [];
  if (outside(realDir, realFolder)) unsafe.push(`the folder resolves to ${realFolder}, outside the plugin directory ${realDir}`);
  if (outside(realDir, candidate.entry)) unsafe.push(`the entry resolves to ${candidate.entry}, outside the plugin directory ${realDir}`);
  for (const [what, path] of [['folder', realFolder], ['entry', candidate.entry]] as const) {
    const mode = (await stat(path)).mode;
    if (mode & 0o002) unsafe.push(`the ${what} ${path} is writable by every user (mode ${(mode & 0o777).toString(8)})`);
  }
  let warning: string | undefined;
  if (unsafe.length) {
    const message = `Plugin ${folder}: ${unsafe.join('; ')}`;
    if (!trust.allowUnsafe) {
      return { problem: { code: 'DGP_ERR_PLUGIN_UNSAFE', message: `${message}; refused.`, folder, hint: 'copy the package into the plugin directory and chmod o-w it, or set plugins.allow_unsafe: true' } };
    }
    warning = `${message}; loaded because plugins.allow_unsafe is set.`;
  }
  if (trust.integrity !== undefined) {
    const name = basename(folder);
    const pinned = Object.hasOwn(trust.integrity, name) ? trust.integrity[name] : undefined;
    const actual = createHash('sha256').update(await readFile(candidate.entry)).digest('hex');
    if (pinned === undefined || pinned !== actual) {
      const why = pinned === undefined ? `is not listed in plugins.integrity` : `entry ${candidate.entry} has sha256 ${actual}, not the pinned ${pinned}`;
      return {
        problem: { code: 'DGP_ERR_PLUGIN_INTEGRITY', message: `Plugin ${folder} ${why}; refused.`, folder, hint: `pin it with plugins.integrity: { ${name}: sha256-${actual} } once you trust this file` },
      };
    }
  }
  return warning === undefined ? {} : { warning };
}
