// The config module's public surface for the rest of the core (cli, reload, registry): load, format, schema, types.
export { loadConfig, formatProblem, formatProblemFrom, type LoadOptions, type LoadedConfig } from './load.js';
export type { Problem, Severity } from './problems.js';
export { checkAgainstSchema, type SchemaIssue } from './schema-check.js';
export { parseDuration } from './duration.js';
export { BootstrapSchema, bootstrapJsonSchema } from './schema/index.js';
export type * from './types.js';
