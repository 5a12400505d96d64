// The whole-config check that opens no sockets and calls no create(): YAML, schema, semantic and Pixiu-compat checks,
// plugin loading, kind resolution and every plugin config. `dgp validate` prints it; the multi-core primary runs it
// before forking so that a bad config fails once, with every problem listed, instead of N times in N workers.
import { loadConfig, type LoadedConfig, type Problem } from '../config/load.js';
import { loadPlugins, registryProblemAsProblem } from '../registry/index.js';
import { resolvePlugins } from '../reload/resolve.js';

export interface ConfigSource {
  file?: string;
  configDir?: string;
}

export interface PreflightResult {
  loaded: LoadedConfig;
  /** Errors and warnings of the config and of every plugin it names, in file order. */
  problems: Problem[];
  errors: Problem[];
  warnings: Problem[];
}

export async function preflight(source: ConfigSource, pluginDirs: readonly string[], strict: boolean, env: NodeJS.ProcessEnv = process.env, noEnv = false): Promise<PreflightResult> {
  const loaded = await loadConfig({ ...source, env, strict, noEnv });
  const problems: Problem[] = [...loaded.problems];
  if (loaded.raw !== undefined) {
    const p = loaded.config?.plugins;
    const registry = await loadPlugins({ pluginDirs: [...(p?.dirs ?? []), ...pluginDirs], trust: { allowUnsafe: p?.allow_unsafe, integrity: p?.integrity } });
    // A plugin that fails to load comes first: the unknown kinds it leaves behind are its consequence.
    problems.unshift(...registry.problems.map(registryProblemAsProblem));
    // A plugin config value that came from an unset ${VAR} fails its schema too; the env problem alone says what to do.
    const unset = loaded.problems.filter((p) => p.code === 'DGP_ERR_CONFIG_ENV_UNSET').map((p) => p.pointer);
    const fromUnset = (p: Problem): boolean => unset.some((u) => p.pointer === u || p.pointer.startsWith(`${u}/`));
    problems.push(...resolvePlugins(loaded.config ?? loaded.raw, loaded, registry).problems.filter((p) => !fromUnset(p)));
    problems.sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : 0));
  }
  return {
    loaded,
    problems,
    errors: problems.filter((p) => p.severity === 'error'),
    warnings: problems.filter((p) => p.severity === 'warning'),
  };
}
