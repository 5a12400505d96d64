// Usage on an OpenAI-style stream the client did not ask for: a filter asks for the final usage of an answer (cost,
// budgets) with StreamUsageWanted, the request gains `stream_options.include_usage`, and the answer is put back the
// way the client would have read it with stripInjectedUsage — the one implementation the OpenAI codec and the
// tokenizer filter both use.
import { defineAttribute, parseSseBlock } from '../index.js';
import { isPlainObject } from './helpers.js';

/** Set (true) in decode by a filter that needs the final usage of this request's answer, streamed or not. */
export const StreamUsageWanted = defineAttribute<true>('dgp.llm.stream_usage_wanted');

const EMPTY = Buffer.alloc(0);
const NULL_MEMBERS = [Buffer.from(',"usage":null'), Buffer.from('"usage":null,')];

/**
 * The bytes the client gets for one SSE event of a stream whose usage was asked for on its behalf: the usage-only
 * chunk (`choices: []`) dropped (empty buffer), the `"usage":null` member OpenAI adds to every other chunk cut out of
 * `frame` (the raw event) — verified by a re-parse; an event the cut cannot be proven on is left as it came.
 * `event` is the event's parsed JSON data.
 */
export function stripInjectedUsage(frame: Buffer, event: unknown): Buffer {
  if (!isPlainObject(event) || !('usage' in event)) return frame;
  if (isPlainObject(event.usage) && Array.isArray(event.choices) && event.choices.length === 0) return EMPTY;
  if (event.usage !== null) return frame; // usage on a content chunk: kept rather than risk a wrong rewrite
  for (const member of NULL_MEMBERS) {
    const at = frame.indexOf(member);
    if (at === -1 || frame.indexOf(member, at + 1) !== -1) continue;
    const cut = Buffer.concat([frame.subarray(0, at), frame.subarray(at + member.length)]);
    if (sameWithoutUsage(cut, event)) return cut;
  }
  return frame;
}

/** The cut removed exactly the top-level usage member: the cut event parses to the original minus usage. */
function sameWithoutUsage(cut: Buffer, original: Record<string, unknown>): boolean {
  const ev = parseSseBlock(cut);
  if (ev === undefined) return false;
  try {
    const { usage: _usage, ...rest } = original;
    return JSON.stringify(JSON.parse(ev.data)) === JSON.stringify(rest);
  } catch {
    return false;
  }
}
