// Translated ids carry the client API's prefix: an Anthropic client reads `msg_…` and `toolu_…`, an OpenAI client
// `chatcmpl-…` and `call_…`, whatever the provider made. A known prefix of another API is replaced (`call_ab` →
// `toolu_ab`), anything else is prefixed. Tool-call ids still round-trip: every provider accepts any id of letters,
// digits, `_` and `-` in the history a client sends back, and the ids of one history stay consistent with each other.
import type { ChatChunk, ChatCompletion } from './api.js';
import type { IdPrefixes } from './codec-context.js';

const KNOWN = /^(chatcmpl-|msg_|toolu_|call_|resp_)/;

/** `id` with `prefix`: unchanged when it has it, a known foreign prefix replaced, else prefixed; '' stays ''. */
export function withIdPrefix(id: string, prefix: string): string {
  if (id === '' || id.startsWith(prefix)) return id;
  const m = KNOWN.exec(id);
  return prefix + (m === null ? id : id.slice(m[0].length));
}

/** A translated unary answer's ids in the client's prefixes (in place). */
export function prefixCompletionIds(res: ChatCompletion, p: IdPrefixes | undefined): void {
  if (p === undefined) return;
  if (p.response !== undefined && typeof res.id === 'string') res.id = withIdPrefix(res.id, p.response);
  if (p.toolCall === undefined) return;
  for (const c of res.choices ?? []) for (const tc of c.message?.tool_calls ?? []) if (typeof tc.id === 'string') tc.id = withIdPrefix(tc.id, p.toolCall);
}

/** A translated stream chunk's ids in the client's prefixes (in place). */
export function prefixChunkIds(chunk: ChatChunk, p: IdPrefixes | undefined): void {
  if (p === undefined) return;
  if (p.response !== undefined && typeof chunk.id === 'string') chunk.id = withIdPrefix(chunk.id, p.response);
  if (p.toolCall === undefined) return;
  for (const c of chunk.choices ?? []) for (const tc of c.delta?.tool_calls ?? []) if (typeof tc.id === 'string') tc.id = withIdPrefix(tc.id, p.toolCall);
}
