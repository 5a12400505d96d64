// Body and query validation for the key API: TypeBox schemas compiled once; unknown fields are named (and LiteLLM
// fields this gateway does not implement are named as such, never silently dropped). Every problem in one 400.
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { keysAdminInvalid } from '../errors.js';

interface Validator {
  Check(value: unknown): boolean;
  Errors(value: unknown): Iterable<{ instancePath?: string; message?: string }>;
}
const compiled = new WeakMap<object, Validator>();

function validatorFor(schema: TSchema): Validator {
  let v = compiled.get(schema);
  if (!v) {
    v = Compile(schema as Parameters<typeof Compile>[0]) as unknown as Validator;
    compiled.set(schema, v);
  }
  return v;
}

export interface CheckOptions {
  /** Fields the caller's dialect knows but this gateway does not implement (LiteLLM's), reported as unsupported. */
  unsupported?: readonly string[];
  /** Names the body in messages, e.g. `POST /key/generate`. */
  what: string;
}

/** The body typed by its schema, or DGP_ERR_KEYS_ADMIN_INVALID listing every problem. An absent body is `{}`. */
export function checkBody<T>(schema: TSchema & { properties?: Record<string, unknown> }, body: unknown, opts: CheckOptions): T {
  const value = body === undefined ? {} : body;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw keysAdminInvalid(`${opts.what}: the body must be a JSON object`);
  const known = new Set(Object.keys(schema.properties ?? {}));
  const extra = Object.keys(value).filter((k) => !known.has(k));
  const unsupported = extra.filter((k) => opts.unsupported?.includes(k));
  const unknown = extra.filter((k) => !opts.unsupported?.includes(k));
  const problems: string[] = [];
  if (unsupported.length) problems.push(`LiteLLM field(s) not supported by this gateway: ${unsupported.join(', ')}`);
  if (unknown.length) problems.push(`unknown field(s): ${unknown.join(', ')}`);
  if (!problems.length) {
    const v = validatorFor(schema);
    if (!v.Check(value)) {
      for (const e of v.Errors(value)) problems.push(`${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
    }
  }
  if (problems.length) throw keysAdminInvalid(`${opts.what}: ${problems.join('; ')}`);
  return value as T;
}

/** A time bound from the query: ISO 8601 or epoch ms. */
export function parseInstant(text: string | undefined, field: string, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw keysAdminInvalid(`${field}: "${text}" is neither an ISO 8601 date nor epoch milliseconds`);
  return ms;
}

/** A positive integer page size or number from the query. */
export function parseCount(text: string | undefined, field: string, fallback: number, max: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw keysAdminInvalid(`${field}: "${text}" is not an integer in 1..${max}`);
  return n;
}
