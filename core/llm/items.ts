// Response items: what an LLM answer says, in pivot terms and independent of the wire API, unary or streamed. Filters
// that look at the answer (guardrails, cache, metrics) read these rather than any provider's bytes.
import type { ChatChunk, ChatCompletion, FinishReason } from './pivot.js';
import type { ProviderError } from './api.js';

export type ResponseItem =
  /** Generated text of one choice. */
  | { type: 'text'; choice: number; text: string }
  /** Reasoning text, where the provider streams it (OpenAI-compatible servers' `reasoning_content`). */
  | { type: 'reasoning'; choice: number; text: string }
  | { type: 'refusal'; choice: number; text: string }
  /** Part of a tool call: the id and name come first, the JSON arguments in pieces. */
  | { type: 'tool_call'; choice: number; index: number; id?: string; name?: string; arguments: string }
  | { type: 'finish'; choice: number; reason: FinishReason }
  /** The upstream reported an error (an error status, or an error event inside a stream). */
  | { type: 'error'; error: ProviderError };

/** Appends the items of one pivot stream chunk to `out`. */
export function itemsOfChunk(chunk: ChatChunk, out: ResponseItem[]): void {
  for (const c of chunk.choices) {
    const d = c.delta as ChatChunk['choices'][number]['delta'] & { reasoning_content?: unknown };
    if (d !== undefined && d !== null) {
      if (typeof d.reasoning_content === 'string' && d.reasoning_content !== '') out.push({ type: 'reasoning', choice: c.index, text: d.reasoning_content });
      if (typeof d.content === 'string' && d.content !== '') out.push({ type: 'text', choice: c.index, text: d.content });
      if (typeof d.refusal === 'string' && d.refusal !== '') out.push({ type: 'refusal', choice: c.index, text: d.refusal });
      if (Array.isArray(d.tool_calls)) {
        for (const t of d.tool_calls) out.push(toolCallItem(c.index, t.index, t.id, t.function?.name, t.function?.arguments));
      }
    }
    if (c.finish_reason) out.push({ type: 'finish', choice: c.index, reason: c.finish_reason });
  }
}

/** The items of a whole pivot response, in the order a stream of it would carry them. */
export function itemsOfCompletion(res: ChatCompletion): ResponseItem[] {
  const out: ResponseItem[] = [];
  for (const c of res.choices) {
    const m = c.message as ChatCompletion['choices'][number]['message'] & { reasoning_content?: unknown };
    if (typeof m.reasoning_content === 'string' && m.reasoning_content !== '') out.push({ type: 'reasoning', choice: c.index, text: m.reasoning_content });
    if (typeof m.content === 'string' && m.content !== '') out.push({ type: 'text', choice: c.index, text: m.content });
    if (typeof m.refusal === 'string' && m.refusal !== '') out.push({ type: 'refusal', choice: c.index, text: m.refusal });
    m.tool_calls?.forEach((t, i) => out.push(toolCallItem(c.index, i, t.id, t.function.name, t.function.arguments)));
    if (c.finish_reason) out.push({ type: 'finish', choice: c.index, reason: c.finish_reason });
  }
  return out;
}

/**
 * Items with the pieces of each text, reasoning and tool call joined, so a unary answer and a stream of the same
 * answer compare equal however the stream was cut.
 */
export function coalesceItems(items: readonly ResponseItem[]): ResponseItem[] {
  const out: ResponseItem[] = [];
  for (const item of items) {
    const last = out[out.length - 1];
    if (last !== undefined && last.type === item.type && 'choice' in last && 'choice' in item && last.choice === item.choice) {
      if ((item.type === 'text' || item.type === 'reasoning' || item.type === 'refusal') && 'text' in last) {
        out[out.length - 1] = { ...last, text: last.text + item.text } as ResponseItem;
        continue;
      }
      if (item.type === 'tool_call' && last.type === 'tool_call' && last.index === item.index) {
        out[out.length - 1] = { ...last, ...(item.id === undefined ? {} : { id: last.id ?? item.id }), ...(item.name === undefined ? {} : { name: (last.name ?? '') + item.name }), arguments: last.arguments + item.arguments };
        continue;
      }
    }
    out.push(item);
  }
  return out;
}

function toolCallItem(choice: number, index: number, id: string | undefined, name: string | undefined, args: string | undefined): ResponseItem {
  const item: ResponseItem = { type: 'tool_call', choice, index, arguments: args ?? '' };
  if (id !== undefined) item.id = id;
  if (name !== undefined) item.name = name;
  return item;
}
