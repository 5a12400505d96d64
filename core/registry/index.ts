// The plugin registry's public surface for the rest of core (config, reload, cli, admin).
export { loadPlugins, type LoadPluginsOptions } from './load-plugins.js';
export { PluginRegistry } from './plugin-registry.js';
export { validatePluginConfig, pluginConfigError, deepFreeze, type PluginConfigResult } from './plugin-config.js';
export { checkManifest, KIND_PATTERN, type ManifestCheck } from './manifest-check.js';
export { expectedForFolder, DEFAULT_BUILTIN_ROOT, RUNNING_EXT } from './builtin-scan.js';
export type { PluginEntry, PluginSource, RegistryProblem, PluginListItem, PluginCandidate, FolderExpectation } from './types.js';
export { registryProblemAsProblem } from './as-problem.js';
