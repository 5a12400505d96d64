// Usage on a same-API OpenAI stream whose client did not ask for it, while the gateway needs it (cost, budgets): the
// request gains `stream_options.include_usage`, and the answer is put back the way the client would have read it —
// the usage-only chunk (`choices: []`) dropped, and the `"usage":null` member OpenAI then adds to every other chunk
// cut out of the bytes, verified by a re-parse (an event the cut cannot be proven on is left as it came).
import { parseSseBlock } from '../../../core/index.js';
import { isPlainObject, type JsonObject } from '../../../core/llm/index.js';

/** Chat and legacy completions take `stream_options`; a client that asked for usage keeps its request as it is. */
export function requestStreamUsage(body: JsonObject): JsonObject | undefined {
  if (body.stream !== true || (!Array.isArray(body.messages) && body.prompt === undefined)) return undefined;
  const opts = isPlainObject(body.stream_options) ? body.stream_options : {};
  if (opts.include_usage === true) return undefined;
  return { ...body, stream_options: { ...opts, include_usage: true } };
}

const EMPTY = Buffer.alloc(0);
const NULL_MEMBERS = [Buffer.from(',"usage":null'), Buffer.from('"usage":null,')];

export function unrequestStreamUsage(frame: Buffer, event: JsonObject): Buffer {
  if (!('usage' in event)) return frame;
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
function sameWithoutUsage(cut: Buffer, original: JsonObject): boolean {
  const ev = parseSseBlock(cut);
  if (ev === undefined) return false;
  try {
    const { usage: _usage, ...rest } = original;
    return JSON.stringify(JSON.parse(ev.data)) === JSON.stringify(rest);
  } catch {
    return false;
  }
}
