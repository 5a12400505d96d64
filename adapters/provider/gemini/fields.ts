// Gemini's REST API accepts proto field names in camelCase and snake_case (its own curl examples use
// system_instruction); requests from clients are read through these helpers so both spellings work.
import { isPlainObject, TOOL_ID_SIGNATURE_MARK, type JsonObject } from '../../../core/llm/index.js';

const snake = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A field by its camelCase name, or its snake_case spelling. */
export function field(o: JsonObject, camel: string): unknown {
  return o[camel] !== undefined ? o[camel] : o[snake(camel)];
}

export function objectField(o: JsonObject, camel: string): JsonObject | undefined {
  const v = field(o, camel);
  return isPlainObject(v) ? v : undefined;
}

/** Thought signatures ride in tool-call ids through clients that drop unknown fields: `<id>__thought__<base64url>`. */
const MARK = TOOL_ID_SIGNATURE_MARK;

export function encodeToolId(id: string, signature: string | undefined): string {
  if (!signature) return id;
  return `${id}${MARK}${signature.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

export function decodeToolId(id: string): { id: string; signature: string | undefined } {
  const at = id.indexOf(MARK);
  if (at < 0) return { id, signature: undefined };
  let sig = id.slice(at + MARK.length).replace(/-/g, '+').replace(/_/g, '/');
  while (sig.length % 4 !== 0) sig += '=';
  return { id: id.slice(0, at), signature: sig };
}
