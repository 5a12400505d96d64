// Turns TypeBox's raw AJV-style errors into one human message per pointer and problem: unknown fields and enum
// values get "did you mean", type errors say expected vs actual, and anyOf noise collapses to the branch that fits.
import type { JsonSchema } from '../plugin-api.js';
import { didYouMean } from './did-you-mean.js';
import { atSchemaPath, deref, isRecord, jsonType, schemaTypes } from './schema-defaults.js';
import type { SchemaIssue } from './schema-check.js';

/** One raw error as TypeBox's `Errors()` yields it. */
export interface RawSchemaError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

const UNION = /\/(anyOf|oneOf)\/(\d+)(?=\/|$)/;

export function humanizeErrors(root: JsonSchema, errors: readonly RawSchemaError[], value: unknown): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  collapse(root, errors, value, out);
  const seen = new Set<string>();
  return out.filter((i) => {
    const key = `${i.pointer}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function collapse(root: JsonSchema, errors: readonly RawSchemaError[], value: unknown, out: SchemaIssue[], base = ''): void {
  const groups = new Map<string, RawSchemaError[]>();
  for (const e of errors) {
    const rest = e.schemaPath.slice(base.length);
    const m = UNION.exec(rest);
    const prefix = m ? base + rest.slice(0, m.index) : e.keyword === 'anyOf' || e.keyword === 'oneOf' ? e.schemaPath : undefined;
    if (prefix === undefined) direct(root, e, value, out);
    else groups.set(prefix, [...(groups.get(prefix) ?? []), e]);
  }
  for (const [prefix, group] of groups) union(root, prefix, group, value, out);
}

function branchOf(prefix: string, e: RawSchemaError): { kw: string; i: number } | undefined {
  const m = /^\/(anyOf|oneOf)\/(\d+)(?=\/|$)/.exec(e.schemaPath.slice(prefix.length));
  return m ? { kw: m[1]!, i: Number(m[2]) } : undefined;
}

function union(root: JsonSchema, prefix: string, group: RawSchemaError[], value: unknown, out: SchemaIssue[]): void {
  const node = atSchemaPath(root, prefix);
  const alts = node && (Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined);
  const own = group.find((e) => e.schemaPath === prefix && (e.keyword === 'anyOf' || e.keyword === 'oneOf'));
  const pointer = own?.instancePath ?? group.map((e) => e.instancePath).sort((a, b) => a.length - b.length)[0] ?? '';
  const actual = valueAt(value, pointer);
  const fallback = (): void => void out.push({ pointer, message: `does not match any allowed form (got ${describe(actual)})` });
  if (!node || !alts) return fallback();
  const schemas = alts.map((b) => (isRecord(b) ? deref(b, root) : {}));
  const literals = literalValues(schemas);
  if (literals) return void out.push(oneOf(pointer, literals, actual));
  const t = jsonType(actual);
  const fitting = schemas
    .map((b, i) => ({ types: schemaTypes(b), i }))
    .filter(({ types }) => types.length === 0 || types.includes(t) || (t === 'integer' && types.includes('number')));
  const fittingLiterals = literalValues(fitting.map(({ i }) => schemas[i]!));
  if (fitting.length > 0 && fittingLiterals) return void out.push(oneOf(pointer, fittingLiterals, actual));
  if (fitting.length === 0) {
    const expected = [...new Set(schemas.flatMap((b) => schemaTypes(b)))];
    return void out.push({ pointer, message: `expected ${orList(expected) || 'another form'}, got ${describe(actual)}` });
  }
  // Several branches take this type (e.g. two object shapes): report the one that came closest.
  const byBranch = fitting.map(({ i }) => group.filter((e) => branchOf(prefix, e)?.i === i));
  let best = 0;
  for (let k = 1; k < byBranch.length; k++) if (byBranch[k]!.length < byBranch[best]!.length) best = k;
  const chosen = byBranch[best]!;
  if (chosen.length === 0) return fallback();
  const kw = branchOf(prefix, chosen[0]!)!.kw;
  collapse(root, chosen, value, out, `${prefix}/${kw}/${fitting[best]!.i}`);
}

function literalValues(schemas: JsonSchema[]): unknown[] | undefined {
  const vals: unknown[] = [];
  for (const s of schemas) {
    if ('const' in s) vals.push(s.const);
    else if (Array.isArray(s.enum)) vals.push(...s.enum);
    else return undefined;
  }
  return vals;
}

function oneOf(pointer: string, allowed: unknown[], actual: unknown): SchemaIssue {
  const names = allowed.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
  const hint = typeof actual === 'string' ? didYouMean(actual, allowed.filter((a): a is string => typeof a === 'string')) : undefined;
  return { pointer, message: `must be one of ${names.join(', ')} (got ${describe(actual)})`, ...(hint ? { hint } : {}) };
}

function direct(root: JsonSchema, e: RawSchemaError, value: unknown, out: SchemaIssue[]): void {
  const actual = valueAt(value, e.instancePath);
  const p = e.params;
  switch (e.keyword) {
    case 'boolean':
      // `additionalProperties: false` reports each extra key twice; the additionalProperties error carries the names.
      if (e.schemaPath.endsWith('/additionalProperties')) return;
      out.push({ pointer: e.instancePath, message: 'is not allowed here' });
      return;
    case 'additionalProperties': {
      const node = atSchemaPath(root, e.schemaPath);
      const known = node && isRecord(node.properties) ? Object.keys(node.properties) : [];
      const extra = Array.isArray(p.additionalProperties) ? p.additionalProperties.map(String) : [];
      for (const key of extra) {
        const hint = didYouMean(key, known) ?? (known.length ? `allowed fields: ${known.join(', ')}` : undefined);
        out.push({ pointer: `${e.instancePath}/${escapePointer(key)}`, message: `unknown field "${key}"`, ...(hint ? { hint } : {}) });
      }
      return;
    }
    case 'required': {
      const names = Array.isArray(p.requiredProperties) ? p.requiredProperties.map(String) : [];
      for (const n of names) out.push({ pointer: `${e.instancePath}/${escapePointer(n)}`, message: `missing required field "${n}"` });
      return;
    }
    case 'type': {
      const expected = Array.isArray(p.type) ? orList(p.type.map(String)) : String(p.type);
      out.push({ pointer: e.instancePath, message: `expected ${expected}, got ${describe(actual)}` });
      return;
    }
    case 'enum':
      out.push(oneOf(e.instancePath, Array.isArray(p.allowedValues) ? p.allowedValues : [], actual));
      return;
    case 'const':
      out.push(oneOf(e.instancePath, [p.allowedValue], actual));
      return;
    case 'pattern':
      out.push(patternIssue(root, e, actual));
      return;
    case 'minLength':
      if (p.limit === 1) {
        out.push({ pointer: e.instancePath, message: 'must not be empty' });
        return;
      }
      break;
  }
  out.push({ pointer: e.instancePath, message: `${e.message}${actual !== undefined && typeof actual !== 'object' ? ` (got ${describe(actual)})` : ''}` });
}

const DURATION_UNITS = '(ns|us|µs|ms|s|m|h)';

/**
 * A pattern is for machines; the message says what the field wants. A schema may say it (`x-dgp-expects`, with
 * `examples` for did-you-mean); Go durations and http(s) URLs are recognised by their pattern; otherwise the field's
 * description is the hint, and the pattern is shown last.
 */
function patternIssue(root: JsonSchema, e: RawSchemaError, actual: unknown): SchemaIssue {
  const node = atSchemaPath(root, e.schemaPath.replace(/\/pattern$/, '')) ?? {};
  const pattern = String(e.params.pattern ?? node.pattern ?? '');
  const got = describe(actual);
  const expects = typeof node['x-dgp-expects'] === 'string' ? node['x-dgp-expects'] : undefined;
  if (expects) {
    const examples = Array.isArray(node.examples) ? node.examples.filter((x): x is string => typeof x === 'string') : [];
    const hint = typeof actual === 'string' ? didYouMean(actual.trim(), examples) : undefined;
    return { pointer: e.instancePath, message: `must be ${expects} (got ${got})`, ...(hint ? { hint } : {}) };
  }
  if (pattern.includes(DURATION_UNITS)) {
    return { pointer: e.instancePath, message: `${JSON.stringify(actual)} is not a duration`, hint: 'write e.g. 500ms, 5s, 1m30s, or a number of milliseconds (units: ns, us, ms, s, m, h)' };
  }
  if (/^\^(\\s\*)?https\?:\/\//.test(pattern)) {
    return { pointer: e.instancePath, message: `must be an http:// or https:// URL (got ${got})`, hint: 'write the whole URL, e.g. http://127.0.0.1:9000/path' };
  }
  const description = typeof node.description === 'string' ? node.description : undefined;
  return { pointer: e.instancePath, message: `has the wrong form (got ${got})`, hint: `${description ? `${description} ` : ''}(pattern ${pattern})` };
}

/** "a", "a or b", "a, b or c". */
function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** "string \"abc\"", "number 3", "array", "object", "null". */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return jsonType(v);
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function valueAt(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let node: unknown = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isRecord(node) && Object.prototype.hasOwnProperty.call(node, key)) node = node[key];
    else return undefined;
  }
  return node;
}
