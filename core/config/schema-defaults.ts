// Applies JSON Schema `default`s into a deep clone of a value (objects, nested objects, records, array items, the
// matching branch of a union), plus the small schema-walking helpers the error messages share.
import type { JsonSchema } from '../plugin-api.js';

type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep clone of plain data; other objects (Buffers, class instances) are kept by reference. */
export function cloneData<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => cloneData(x)) as T;
  if (isRecord(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const out: Json = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: cloneData(v[k]), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return v;
}

/** The JSON type name of a value, as JSON Schema spells it ("integer" only when asked to distinguish). */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Follows a local `$ref` ("#/$defs/x") against the root schema; other refs are returned unresolved. */
export function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; i < 32 && typeof s.$ref === 'string' && s.$ref.startsWith('#'); i++) {
    const target = atSchemaPath(root, s.$ref);
    if (!target) break;
    s = target;
  }
  return s;
}

/** The schema node at a schema path such as "#/properties/a/anyOf/0". */
export function atSchemaPath(root: JsonSchema, path: string): JsonSchema | undefined {
  let node: unknown = root;
  const parts = path.replace(/^#/, '').split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (const p of parts) {
    if (Array.isArray(node)) node = node[Number(p)];
    else if (isRecord(node)) node = node[p];
    else return undefined;
  }
  return isRecord(node) ? node : undefined;
}

/** The JSON types a schema accepts, when it says so directly (type, const, enum, properties, items). */
export function schemaTypes(schema: JsonSchema): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  if ('const' in schema) return [jsonType(schema.const) === 'integer' ? 'number' : jsonType(schema.const)];
  if (Array.isArray(schema.enum)) return [...new Set(schema.enum.map((e) => (jsonType(e) === 'integer' ? 'number' : jsonType(e))))];
  if (isRecord(schema.properties) || isRecord(schema.patternProperties)) return ['object'];
  if (schema.items !== undefined) return ['array'];
  return [];
}

/** Whether a value's type fits the schema's declared types (integer counts as number; undeclared fits). */
export function typeFits(schema: JsonSchema, v: unknown): boolean {
  const types = schemaTypes(schema);
  if (types.length === 0) return true;
  const actual = jsonType(v);
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer') || (t === 'integer' && actual === 'integer'));
}

function branches(schema: JsonSchema): JsonSchema[] | undefined {
  const b = schema.anyOf ?? schema.oneOf;
  return Array.isArray(b) ? b.filter(isRecord) : undefined;
}

/** Annotation: an absent object of this schema stays absent instead of being built from its fields' defaults. */
export const KEEP_ABSENT = 'x-dgp-keep-absent';

/** True when a missing object of this schema can be created from defaults alone (nothing required lacks one). */
function creatable(schema: JsonSchema, root: JsonSchema, depth: number): boolean {
  if (depth > 16 || !isRecord(schema.properties) || schema[KEEP_ABSENT] === true) return false;
  const props = schema.properties;
  const required = Array.isArray(schema.required) ? schema.required : [];
  for (const r of required) {
    const p = isRecord(props[r as string]) ? deref(props[r as string] as JsonSchema, root) : undefined;
    if (!p || (p.default === undefined && !creatable(p, root, depth + 1))) return false;
  }
  return Object.values(props).some((p) => isRecord(p) && (deref(p, root).default !== undefined || creatable(deref(p, root), root, depth + 1)));
}

/** Returns the value with defaults filled in; `value` must already be a private clone (it is modified in place). */
export function applyDefaults(schemaIn: JsonSchema, value: unknown, root: JsonSchema, depth = 0): unknown {
  const schema = deref(schemaIn, root);
  if (depth > 64) return value;
  if (value === undefined) {
    if (schema.default !== undefined) return applyDefaults(schema, cloneData(schema.default), root, depth + 1);
    return undefined;
  }
  const alts = branches(schema);
  if (alts) {
    let fitting = alts.map((b) => deref(b, root)).filter((b) => typeFits(b, value));
    const obj = value;
    if (fitting.length > 1 && isRecord(obj)) fitting = fitting.filter((b) => plausibleObject(b, obj));
    if (fitting.length === 1) value = applyDefaults(fitting[0]!, value, root, depth + 1);
  }
  if (Array.isArray(schema.allOf)) for (const s of schema.allOf) if (isRecord(s)) value = applyDefaults(s, value, root, depth + 1);
  if (isRecord(value)) fillObject(schema, value, root, depth);
  else if (Array.isArray(value)) fillArray(schema, value, root, depth);
  return value;
}

/** For unions of object shapes: the branch's required keys are present and no key is foreign to a closed shape. */
function plausibleObject(schema: JsonSchema, value: Json): boolean {
  const props = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  if (!required.every((r) => typeof r === 'string' && value[r] !== undefined)) return false;
  return schema.additionalProperties !== false || Object.keys(value).every((k) => k in props);
}

function setOwn(obj: Json, key: string, v: unknown): void {
  Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
}

function fillObject(schema: JsonSchema, value: Json, root: JsonSchema, depth: number): void {
  const props = isRecord(schema.properties) ? schema.properties : {};
  for (const [key, sub] of Object.entries(props)) {
    if (!isRecord(sub)) continue;
    const s = deref(sub, root);
    if (value[key] === undefined) {
      if (s.default !== undefined) setOwn(value, key, applyDefaults(s, cloneData(s.default), root, depth + 1));
      else if (creatable(s, root, 0)) setOwn(value, key, applyDefaults(s, {}, root, depth + 1));
    } else {
      setOwn(value, key, applyDefaults(s, value[key], root, depth + 1));
    }
  }
  const patterns = isRecord(schema.patternProperties) ? Object.entries(schema.patternProperties) : [];
  const extra = isRecord(schema.additionalProperties) ? schema.additionalProperties : undefined;
  if (patterns.length === 0 && !extra) return;
  for (const key of Object.keys(value)) {
    if (key in props) continue;
    const pattern = patterns.find(([re]) => new RegExp(re, 'u').test(key));
    const sub = pattern ? pattern[1] : extra;
    if (isRecord(sub)) setOwn(value, key, applyDefaults(sub, value[key], root, depth + 1));
  }
}

function fillArray(schema: JsonSchema, value: unknown[], root: JsonSchema, depth: number): void {
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
  for (let i = 0; i < value.length; i++) {
    const sub = i < prefix.length ? prefix[i] : schema.items;
    if (isRecord(sub)) value[i] = applyDefaults(sub, value[i], root, depth + 1);
  }
}
