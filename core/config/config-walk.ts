// Defensive accessors over an unvalidated config value, so that semantic and Pixiu-compat checks can run (and
// report) even when the schema check failed elsewhere in the file.
import type { JsonSchema } from '../plugin-api.js';
import { child } from './problems.js';
import { deref, isRecord, typeFits } from './schema-defaults.js';

export type Rec = Record<string, unknown>;
export interface At<T = Rec> {
  v: T;
  ptr: string;
}

export const rec = (v: unknown): Rec | undefined => (isRecord(v) ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Object items of an array field, with their pointers; non-objects are skipped (the schema reports them). */
export function items(parent: At | undefined, key: string): At[] {
  const list = parent?.v[key];
  if (!Array.isArray(list)) return [];
  const base = child(parent!.ptr, key);
  return list.flatMap((v, i) => (isRecord(v) ? [{ v, ptr: child(base, i) }] : []));
}

export function sub(parent: At | undefined, key: string): At | undefined {
  const v = parent?.v[key];
  return isRecord(v) ? { v, ptr: child(parent!.ptr, key) } : undefined;
}

export function staticResources(root: unknown): At | undefined {
  return sub(isRecord(root) ? { v: root, ptr: '' } : undefined, 'static_resources');
}

export const listenersOf = (root: unknown): At[] => items(staticResources(root), 'listeners');
export const clustersOf = (root: unknown): At[] => items(staticResources(root), 'clusters');
export const adaptersOf = (root: unknown): At[] => items(staticResources(root), 'adapters');

/** The HCM configs of a listener (each with its filter pointer). */
export function hcmsOf(listener: At): At[] {
  return items(sub(listener, 'filter_chains'), 'filters').flatMap((f) => {
    const config = sub(f, 'config');
    return f.v.name === 'dgp.filter.httpconnectionmanager' && config ? [config] : [];
  });
}

export const routesOf = (hcm: At): At[] => items(sub(hcm, 'route_config'), 'routes');

/** Every duration-annotated value (`x-dgp-duration`) in `value`, found by walking the schema alongside it. */
export function collectDurations(schema: JsonSchema, value: unknown, root: JsonSchema = schema, ptr = '', out: At<unknown>[] = []): At<unknown>[] {
  const s = deref(schema, root);
  if (value === undefined) return out;
  if (s['x-dgp-duration'] === true) {
    out.push({ v: value, ptr });
    return out;
  }
  const alts = Array.isArray(s.anyOf) ? s.anyOf : undefined;
  if (alts) {
    const fit = alts.filter((b): b is JsonSchema => isRecord(b) && typeFits(deref(b, root), value));
    if (fit.length === 1) collectDurations(fit[0]!, value, root, ptr, out);
    return out;
  }
  if (isRecord(value) && isRecord(s.properties)) {
    for (const [k, p] of Object.entries(s.properties)) if (isRecord(p)) collectDurations(p, value[k], root, child(ptr, k), out);
  } else if (Array.isArray(value) && isRecord(s.items)) {
    value.forEach((v, i) => collectDurations(s.items as JsonSchema, v, root, child(ptr, i), out));
  }
  return out;
}

/** Effective cluster names: unnamed clusters become "cluster-<n>", n counting unnamed clusters from 1 (Pixiu). */
export function clusterNames(root: unknown): string[] {
  let unnamed = 0;
  return clustersOf(root).map((c) => str(c.v.name) || `cluster-${++unnamed}`);
}

/** Effective listener name: "listener-<n>" (position from 1) when empty. */
export function listenerName(l: At, index: number): string {
  return str(l.v.name) || `listener-${index + 1}`;
}
