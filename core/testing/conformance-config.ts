// The conformance checks of a plugin's config side: configSchema compiles and (house style) rejects unknown fields and
// describes every property; valid configs pass with their defaults applied and come back deep-frozen; invalid ones
// fail at the given pointer and map to DGP_ERR_PLUGIN_CONFIG (the suite itself is in conformance.ts).
import { Compile } from 'typebox/compile';
import type { JsonSchema, PluginManifest } from '../index.js';
import { pluginConfigError, validatePluginConfig, type PluginEntry } from '../registry/index.js';
import type { ConformanceOptions } from './conformance.js';
import type { TestLike } from './test-like.js';

const UNKNOWN_FIELD = '__conformance_unknown_field__';

export function checkSchema(t: TestLike, schema: JsonSchema, strict: boolean): void {
  t.doesNotThrow(() => Compile(schema), 'configSchema compiles');
  if (!strict) return;
  t.equal(schema.type, 'object', 'configSchema is an object schema');
  t.equal(schema.additionalProperties, false, 'configSchema rejects unknown fields (additionalProperties: false)');
  t.same(undescribed(schema, ''), [], 'every config property has a description');
}

export function checkConfigs(t: TestLike, manifest: PluginManifest, opts: ConformanceOptions): void {
  const entry = { manifest, kind: manifest.kind } satisfies Pick<PluginEntry, 'manifest' | 'kind'>;
  t.ok(opts.validConfigs.length > 0, 'at least one valid config is given');
  opts.validConfigs.forEach((raw, i) => {
    const { config, issues } = validatePluginConfig(entry, structuredClone(raw));
    t.same(issues, [], `valid config #${i} passes`);
    expectDefaults(t, manifest.configSchema, raw, config, '');
    t.ok(isDeepFrozen(config), `valid config #${i} comes back deep-frozen`);
  });
  const first = opts.validConfigs[0];
  if ((opts.strictSchema ?? true) && isObject(first)) {
    const { issues } = validatePluginConfig(entry, { ...first, [UNKNOWN_FIELD]: 1 });
    t.ok(issues.some((i) => i.pointer === `/${UNKNOWN_FIELD}`), 'an unknown field is reported at its pointer', { found: issues });
  }
  for (const [i, bad] of opts.invalidConfigs.entries()) {
    const { issues } = validatePluginConfig(entry, structuredClone(bad.config));
    const label = `invalid config #${i}${bad.why === undefined ? '' : ` (${bad.why})`}`;
    t.ok(issues.some((issue) => issue.pointer === bad.pointer), `${label} fails at "${bad.pointer}"`, { found: issues });
    t.equal(pluginConfigError(entry, issues).code, 'DGP_ERR_PLUGIN_CONFIG', `${label} maps to DGP_ERR_PLUGIN_CONFIG`);
  }
}

/** Properties of every object schema reachable through `properties` that lack a description. */
function undescribed(schema: unknown, pointer: string): string[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  return Object.entries(schema.properties).flatMap(([key, sub]) => [
    ...(isObject(sub) && typeof sub.description === 'string' && sub.description !== '' ? [] : [`${pointer}/${key}`]),
    ...undescribed(sub, `${pointer}/${key}`),
  ]);
}

/** Every `default` of a property the raw config left out is present in the result (recursing into given objects). */
function expectDefaults(t: TestLike, schema: unknown, raw: unknown, result: unknown, pointer: string): void {
  if (!isObject(schema) || !isObject(schema.properties) || !isObject(result)) return;
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (!isObject(sub)) continue;
    const given = isObject(raw) && Object.hasOwn(raw, key);
    if (!given && 'default' in sub) {
      // has(), not same(): a defaulted object may gain nested defaults of its own.
      if (isObject(sub.default)) t.has(result[key], sub.default, `default applied at ${pointer}/${key}`);
      else t.same(result[key], sub.default, `default applied at ${pointer}/${key}`);
    } else if (given) {
      expectDefaults(t, sub, (raw as Record<string, unknown>)[key], result[key], `${pointer}/${key}`);
    }
  }
}

/** Plain objects and arrays only, like deepFreeze: class instances a schema produced are left as they are. */
function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
