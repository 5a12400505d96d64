// Usage on a same-API OpenAI stream whose client did not ask for it, while the gateway needs it (cost, budgets): the
// request gains `stream_options.include_usage`, and the answer is put back the way the client would have read it —
// the usage-only chunk (`choices: []`) dropped, and the `"usage":null` member OpenAI then adds to every other chunk
// cut out of the bytes (stripInjectedUsage, shared with the tokenizer filter).
import { isPlainObject, stripInjectedUsage, type JsonObject } from '../../../core/llm/index.js';

/** Chat and legacy completions take `stream_options`; a client that asked for usage keeps its request as it is. */
export function requestStreamUsage(body: JsonObject): JsonObject | undefined {
  if (body.stream !== true || (!Array.isArray(body.messages) && body.prompt === undefined)) return undefined;
  const opts = isPlainObject(body.stream_options) ? body.stream_options : {};
  if (opts.include_usage === true) return undefined;
  return { ...body, stream_options: { ...opts, include_usage: true } };
}

/** Undoes requestStreamUsage on one event: the shared implementation in the LLM SDK. */
export const unrequestStreamUsage: (frame: Buffer, event: JsonObject) => Buffer = stripInjectedUsage;
