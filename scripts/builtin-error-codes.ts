// Imports every built-in plugin manifest and errors.ts module (filters/, adapters/) and the LLM layer so that their defineErrorCode calls
// run, then returns the codes they registered: what docs/errors.md and its in-step test cover besides core/errors.ts.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { registeredErrorCodes, type PluginErrorCodeInfo } from '../core/errors.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function manifests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) manifests(p, out);
    else if (name === 'index.ts' || name === 'errors.ts') out.push(p);
  }
  return out;
}

export async function loadBuiltinErrorCodes(): Promise<Array<[string, PluginErrorCodeInfo]>> {
  const entries = [join(ROOT, 'core/llm/index.ts'), ...manifests(join(ROOT, 'filters')), ...manifests(join(ROOT, 'adapters'))];
  for (const entry of entries) await import(pathToFileURL(entry).href);
  return [...registeredErrorCodes()].sort(([a], [b]) => a.localeCompare(b));
}
