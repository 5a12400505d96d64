// JSON Schema ⇄ Gemini's OpenAPI-subset Schema. Gemini clients often write types in upper case (OBJECT, STRING);
// OpenAI and Anthropic want JSON Schema. In `openapi` mode keywords outside the subset are removed.
import { isPlainObject, type JsonObject } from '../../../core/llm/index.js';

const OPENAPI_KEYS = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required',
  'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering',
  'default', 'items', 'minimum', 'maximum',
]);

/** Gemini Schema → JSON Schema: types lower-cased, recursively. */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!isPlainObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'type' && typeof v === 'string') out.type = v.toLowerCase();
    else if (k === 'properties' && isPlainObject(v)) out.properties = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, toJsonSchema(s)]));
    else out[k] = k === 'items' || k === 'anyOf' ? toJsonSchema(v) : v;
  }
  return out;
}

/** JSON Schema → the OpenAPI subset Gemini's `parameters` / `responseSchema` accept (unknown keywords removed). */
export function toOpenApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApiSchema);
  if (!isPlainObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (!OPENAPI_KEYS.has(k)) continue;
    if (k === 'type' && Array.isArray(v)) {
      // ["string","null"] → type + nullable, the subset's spelling.
      const types = v.filter((t) => t !== 'null');
      if (types.length === 1) out.type = types[0];
      if (types.length !== v.length) out.nullable = true;
    } else if (k === 'properties' && isPlainObject(v)) {
      out.properties = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, toOpenApiSchema(s)]));
    } else out[k] = k === 'items' || k === 'anyOf' ? toOpenApiSchema(v) : v;
  }
  return out;
}
