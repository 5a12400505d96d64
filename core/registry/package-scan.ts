// Finds third-party plugin packages in `plugins.dirs` / `--plugin-dir`: each directory is either one package (it has a
// package.json) or a folder of packages. Resolves each package's entry and refuses one that escapes its folder.
import { readdir, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isDir, isFile } from './fs-probe.js';
import { checkTrust, type PluginTrust } from './plugin-trust.js';
import type { PluginCandidate, RegistryProblem } from './types.js';

export interface PackageScan {
  candidates: PluginCandidate[];
  problems: RegistryProblem[];
  /** Packages loaded despite a trust problem (plugins.allow_unsafe). */
  warnings: string[];
}

/** Scans every directory in order; a package reached twice (same real path) is taken once. */
export async function scanPluginDirs(dirs: readonly string[], trust: PluginTrust = {}): Promise<PackageScan> {
  const scan: PackageScan = { candidates: [], problems: [], warnings: [] };
  const seen = new Set<string>();
  for (const dir of dirs) {
    const folders = await packageFolders(dir, scan.problems);
    const realDir = folders.length ? await realpath(dir) : dir;
    for (const folder of folders) {
      const real = await realpath(folder);
      if (seen.has(real)) continue;
      seen.add(real);
      const found = await readPackage(folder, real);
      if ('code' in found) {
        scan.problems.push(found);
        continue;
      }
      const verdict = await checkTrust(found, realDir, real, trust);
      if (verdict.warning) scan.warnings.push(verdict.warning);
      if (verdict.problem) scan.problems.push(verdict.problem);
      else scan.candidates.push(found);
    }
  }
  return scan;
}

async function packageFolders(dir: string, problems: RegistryProblem[]): Promise<string[]> {
  const dirProblem = (message: string): string[] => {
    problems.push({
      code: 'DGP_ERR_PLUGIN_DIR',
      message,
      folder: dir,
      hint: 'Each plugins.dirs / --plugin-dir entry is a plugin package (with package.json) or a folder of them.',
    });
    return [];
  };
  if (!isAbsolute(dir)) return dirProblem(`Plugin directory "${dir}" is not an absolute path.`);
  if (!(await isDir(dir))) return dirProblem(`Plugin directory ${dir} does not exist or is not a directory.`);
  if (await isFile(join(dir, 'package.json'))) return [dir];
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.') && n !== 'node_modules').sort();
  const folders: string[] = [];
  for (const name of names) {
    if ((await isDir(join(dir, name))) && (await isFile(join(dir, name, 'package.json')))) folders.push(join(dir, name));
  }
  if (folders.length === 0) return dirProblem(`Plugin directory ${dir} has no package.json, and no subfolder has one.`);
  return folders;
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
  main?: unknown;
  dgp?: { entry?: unknown };
}

/** Entry = `dgp.entry`, else `main`, else index.js; it must resolve (symlinks followed) inside the package folder. */
async function readPackage(folder: string, realFolder: string): Promise<PluginCandidate | RegistryProblem> {
  const problem = (message: string, cause?: unknown): RegistryProblem => ({
    code: 'DGP_ERR_PLUGIN_PACKAGE',
    message,
    folder,
    hint: 'Set "dgp": { "entry": "./index.js" } (or "main") in package.json to a file inside the package folder.',
    ...(cause === undefined ? {} : { cause }),
  });
  let pkg: PackageJson;
  try {
    const parsed: unknown = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    pkg = parsed as PackageJson;
  } catch (err) {
    return problem(`Plugin ${folder}: package.json cannot be read (${(err as Error).message}).`, err);
  }
  const declared = pkg.dgp?.entry ?? pkg.main ?? 'index.js';
  const field = pkg.dgp?.entry !== undefined ? 'dgp.entry' : pkg.main !== undefined ? 'main' : 'the default index.js';
  if (typeof declared !== 'string' || declared === '') return problem(`Plugin ${folder}: ${field} must be a non-empty string.`);
  const entry = await realpath(resolve(folder, declared)).catch(() => undefined);
  if (entry === undefined || !(await isFile(entry))) {
    return problem(`Plugin ${folder}: entry "${declared}" (from ${field}) does not exist or is not a file.`);
  }
  const rel = relative(realFolder, entry);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    return problem(`Plugin ${folder}: entry "${declared}" (from ${field}) resolves to ${entry}, outside the package folder; refused.`);
  }
  return {
    folder,
    entry,
    builtin: false,
    version: typeof pkg.version === 'string' ? pkg.version : undefined,
    packageName: typeof pkg.name === 'string' ? pkg.name : undefined,
  };
}
