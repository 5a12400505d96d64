// Imports one plugin entry and turns its default export (one manifest or an array) into registry entries.
// With cacheBust a third-party entry is imported under `?v=<mtime>-<size>`, so an edited file is evaluated afresh
// while an unchanged one hits the module cache (each fresh URL keeps the old module in memory: ARCHITECTURE §6).
import { stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { checkManifest } from './manifest-check.js';
import { declaredKinds, failureSite } from './import-failure.js';
import type { PluginCandidate, PluginEntry, RegistryProblem } from './types.js';

export interface ImportResult {
  entries: PluginEntry[];
  problems: RegistryProblem[];
}

export async function importCandidate(candidate: PluginCandidate, cacheBust: boolean): Promise<ImportResult> {
  const { folder, entry } = candidate;
  let mod: { default?: unknown };
  try {
    mod = (await import(await entryUrl(candidate, cacheBust))) as { default?: unknown };
  } catch (err) {
    const reason = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
    const site = failureSite(err, entry, folder);
    const claims = declaredKinds(entry);
    return {
      entries: [],
      problems: [{
        code: 'DGP_ERR_PLUGIN_IMPORT',
        message: `Plugin ${folder}: importing ${entry} failed: ${reason}${site ? ` (at ${site.file}:${site.line}:${site.col})` : ''}`,
        folder,
        hint: `Run \`node ${site?.file ?? entry}\` to see the error; check package.json "dgp.entry" or "main".`,
        cause: err,
        ...(site ? { site } : {}),
        ...(claims.length ? { claims } : {}),
      }],
    };
  }
  const exported = mod.default;
  if (exported === undefined || (Array.isArray(exported) && exported.length === 0)) {
    const what = exported === undefined ? 'has no default export' : 'default-exports an empty array';
    return {
      entries: [],
      problems: [{
        code: 'DGP_ERR_PLUGIN_MANIFEST',
        message: `Plugin ${folder}: ${entry} ${what}; it must default-export a manifest or an array of manifests.`,
        folder,
        hint: 'export default { kind, apiVersion, description, configSchema, create }; see docs/plugin-authoring.md.',
      }],
    };
  }
  const result: ImportResult = { entries: [], problems: [] };
  for (const value of Array.isArray(exported) ? exported : [exported]) {
    const { manifest, problems } = checkManifest(value, folder, candidate.expected);
    result.problems.push(...problems);
    if (manifest === undefined) continue;
    result.entries.push({
      manifest,
      kind: manifest.kind,
      type: manifest.type ?? 'filter',
      version: manifest.version ?? candidate.version,
      source: Object.freeze({
        folder,
        entry,
        builtin: candidate.builtin,
        version: candidate.version,
        packageName: candidate.packageName,
      }),
    });
  }
  return result;
}

async function entryUrl(candidate: PluginCandidate, cacheBust: boolean): Promise<string> {
  const url = pathToFileURL(candidate.entry).href;
  if (!cacheBust || candidate.builtin) return url;
  const { mtimeMs, size } = await stat(candidate.entry);
  return `${url}?v=${mtimeMs}-${size}`;
}
