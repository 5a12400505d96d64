// Validates one plugin's config against its configSchema, applies defaults and deep-freezes the result, so that
// `create` receives exactly what ARCHITECTURE §3 promises: a validated, defaulted, frozen config.
import { checkAgainstSchema, type SchemaIssue } from '../config/schema-check.js';
import { DgpError } from '../errors.js';
import type { PluginEntry } from './types.js';

export interface PluginConfigResult<C = unknown> {
  /** The defaulted config, deep-frozen. Meaningful only when `issues` is empty. */
  config: Readonly<C>;
  issues: SchemaIssue[];
}

/** A missing or null `config:` counts as `{}`: many Pixiu filters take no config at all. */
export function validatePluginConfig<C = unknown>(entry: Pick<PluginEntry, 'manifest'>, rawConfig: unknown): PluginConfigResult<C> {
  const { value, issues } = checkAgainstSchema(entry.manifest.configSchema, rawConfig ?? {});
  const config = deepFreeze(value) as Readonly<C>;
  const check = entry.manifest.check;
  if (issues.length === 0 && check !== undefined) {
    try {
      issues.push(...check(config));
    } catch (err) {
      issues.push({ pointer: '', message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { config, issues };
}

/**
 * The DGP_ERR_PLUGIN_CONFIG error for a config that failed validation; `at` says where the config sits (e.g.
 * `listeners[0].filter_chains.filters[0].http_filters[1].config`) so the message points at it.
 */
export function pluginConfigError(entry: Pick<PluginEntry, 'kind'>, issues: readonly SchemaIssue[], at?: string): DgpError {
  const where = at === undefined ? '' : ` at ${at}`;
  const lines = issues.map((i) => `${i.pointer || '/'}: ${i.message}${i.hint === undefined ? '' : ` (${i.hint})`}`);
  return new DgpError('DGP_ERR_PLUGIN_CONFIG', `Config of "${entry.kind}"${where} is invalid: ${lines.join('; ')}`, {
    hint: `Fix the listed fields; the plugin's README lists its options.`,
    details: { kind: entry.kind, issues, ...(at === undefined ? {} : { at }) },
  });
}

/** Freezes plain objects and arrays all the way down; class instances (e.g. a RegExp a schema built) are left alone. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}
