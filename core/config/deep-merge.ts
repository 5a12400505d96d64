// The merge rule of per-route filter config (docs/configuration.md#per-route-filter-config): objects merge key by key,
// recursively; arrays, scalars and null in the override replace the base value. Neither input is modified.
import { isRecord } from './schema-defaults.js';

export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isRecord(base) || !isRecord(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    // defineProperty: a key such as __proto__ (the YAML loader refuses it, but stay safe) stays a plain own property.
    Object.defineProperty(out, key, { value: deepMerge(base[key], value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
