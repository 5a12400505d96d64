// OpenAI refuses tool-call ids longer than 40 characters ("string too long. Expected a string with maximum length
// 40"). Ids from Gemini carry thought signatures and are much longer: they are shortened, the same way for a call and
// for its tool message, so the pairing holds.
import { createHash } from 'node:crypto';
import { baseToolId, isPlainObject, type JsonObject } from '../../../core/llm/index.js';

export const MAX_TOOL_ID = 40;

export function openAiToolId(id: string): string {
  if (id.length <= MAX_TOOL_ID) return id;
  const base = baseToolId(id);
  if (base.length <= MAX_TOOL_ID) return base;
  return `call_${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
}

/** The messages with every tool id made to fit; undefined when all fit already (nothing is copied then). */
export function fitToolIds(messages: unknown): unknown[] | undefined {
  if (!Array.isArray(messages)) return undefined;
  let changed = false;
  const out = messages.map((m) => {
    if (!isPlainObject(m)) return m;
    let copy: JsonObject = m;
    if (typeof m.tool_call_id === 'string' && m.tool_call_id.length > MAX_TOOL_ID) {
      copy = { ...copy, tool_call_id: openAiToolId(m.tool_call_id) };
      changed = true;
    }
    const calls = m.tool_calls;
    if (Array.isArray(calls) && calls.some((c) => isPlainObject(c) && typeof c.id === 'string' && c.id.length > MAX_TOOL_ID)) {
      copy = { ...copy, tool_calls: calls.map((c) => (isPlainObject(c) && typeof c.id === 'string' ? { ...c, id: openAiToolId(c.id) } : c)) };
      changed = true;
    }
    return copy;
  });
  return changed ? out : undefined;
}
