// Undoes `stream_options.include_usage` for a client that did not ask for it (litellm PR #35290): the
// usage-only chunk (`choices: []`) is dropped and the `"usage":null` member OpenAI adds to every other chunk is cut
// out of the bytes, so the client reads exactly the stream it would have read without the gateway.
import { SseParser, type SseFrame } from '../../../core/index.js';
import { isObj } from './usage.js';

const EMPTY = Buffer.alloc(0);
const NULL_MEMBERS = [Buffer.from(',"usage":null'), Buffer.from('"usage":null,')];

/** The bytes the client gets for one frame; `value` is the frame's parsed JSON data, when it had any. */
export function rewriteFrame(frame: SseFrame, value: unknown): Buffer {
  if (!frame.event || !isObj(value) || !('usage' in value)) return frame.raw;
  if (isObj(value.usage) && Array.isArray(value.choices) && value.choices.length === 0) return EMPTY;
  if (value.usage !== null) return frame.raw; // usage on a content chunk: left as is rather than risk a bad rewrite
  const raw = frame.raw;
  for (const member of NULL_MEMBERS) {
    const at = raw.indexOf(member);
    if (at === -1 || raw.indexOf(member, at + 1) !== -1) continue;
    const cut = Buffer.concat([raw.subarray(0, at), raw.subarray(at + member.length)]);
    if (sameWithoutUsage(cut, value)) return cut;
  }
  return raw;
}

/** Proves the cut removed exactly the top-level usage member: re-parse and compare with the original minus usage. */
function sameWithoutUsage(cutFrame: Buffer, original: Record<string, unknown>): boolean {
  const events = new SseParser().feed(cutFrame);
  if (events.length !== 1) return false;
  try {
    const { usage: _usage, ...rest } = original;
    return JSON.stringify(JSON.parse(events[0]!.data)) === JSON.stringify(rest);
  } catch {
    return false;
  }
}
