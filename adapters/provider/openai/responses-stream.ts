// Pivot stream items → the Responses API's typed SSE events: response.created / in_progress, then per output item
// output_item.added, content_part.added, output_text.delta… (or function_call_arguments.delta… for a tool call),
// their .done events, and response.completed carrying the whole response with usage. Items are opened and closed in
// order: a tool call after text closes the text item first, as OpenAI does.
import type { ChatUsage, CodecContext, FinishReason, JsonObject, StreamEncoder, StreamItem } from '../../../core/llm/index.js';
import { openAiErrorObject } from './errors.js';
import { functionCallItem, messageItem, responseEnvelope, responsesUsage, statusOf } from './responses-response.js';

interface OpenItem {
  kind: 'message' | 'function_call';
  id: string;
  index: number;
  /** Pivot tool-call index (function calls). */
  toolIndex?: number;
  callId?: string;
  name?: string;
  text: string;
}

export function createResponsesEncoder(cx: CodecContext): StreamEncoder {
  const id = cx.newId('resp_');
  const createdAt = cx.now();
  const done: JsonObject[] = [];
  let open: OpenItem | undefined;
  let seq = 0;
  let started = false;
  let finish: FinishReason | null = null;
  let usage: ChatUsage | undefined;
  let failed = false;

  const event = (type: string, data: JsonObject): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const start = (): string => {
    if (started) return '';
    started = true;
    const response = responseEnvelope(id, createdAt, cx, 'in_progress', [], null, null);
    return event('response.created', { response }) + event('response.in_progress', { response });
  };
  const close = (): string => {
    if (!open) return '';
    const o = open;
    open = undefined;
    if (o.kind === 'message') {
      const part = { type: 'output_text', text: o.text, annotations: [] };
      const item = messageItem(o.id, o.text, 'completed');
      done.push(item);
      const at = { item_id: o.id, output_index: o.index, content_index: 0 };
      return (
        event('response.output_text.done', { ...at, text: o.text, logprobs: [] }) +
        event('response.content_part.done', { ...at, part }) +
        event('response.output_item.done', { output_index: o.index, item })
      );
    }
    const item = functionCallItem(o.id, o.callId ?? '', o.name ?? '', o.text, 'completed');
    done.push(item);
    return event('response.function_call_arguments.done', { item_id: o.id, output_index: o.index, name: o.name, arguments: o.text }) + event('response.output_item.done', { output_index: o.index, item });
  };
  const text = (delta: string): string => {
    let out = '';
    if (open?.kind !== 'message') {
      out += close();
      open = { kind: 'message', id: cx.newId('msg_'), index: done.length, text: '' };
      out += event('response.output_item.added', { output_index: open.index, item: { type: 'message', id: open.id, status: 'in_progress', role: 'assistant', content: [] } });
      out += event('response.content_part.added', { item_id: open.id, output_index: open.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    }
    open.text += delta;
    return out + event('response.output_text.delta', { item_id: open.id, output_index: open.index, content_index: 0, delta, logprobs: [] });
  };
  const tool = (t: { index: number; id?: string; function?: { name?: string; arguments?: string } }): string => {
    let out = '';
    if (open?.kind !== 'function_call' || open.toolIndex !== t.index) {
      out += close();
      open = { kind: 'function_call', id: cx.newId('fc_'), index: done.length, toolIndex: t.index, callId: t.id ?? cx.newId('call_'), name: t.function?.name ?? '', text: '' };
      out += event('response.output_item.added', { output_index: open.index, item: functionCallItem(open.id, open.callId ?? '', open.name ?? '', '', 'in_progress') });
    }
    const delta = t.function?.arguments ?? '';
    if (delta === '') return out;
    open.text += delta;
    return out + event('response.function_call_arguments.delta', { item_id: open.id, output_index: open.index, delta });
  };

  return {
    write(item: StreamItem): string {
      if (failed) return '';
      if (item.type === 'error') {
        failed = true;
        const e = openAiErrorObject(item.error);
        return start() + event('error', { code: e.code ?? e.type ?? null, message: e.message, param: e.param ?? null });
      }
      if (item.type === 'done') {
        let out = start();
        if (open === undefined && done.length === 0) out += text('');
        out += close();
        const response = responseEnvelope(id, createdAt, cx, statusOf(finish), done, responsesUsage(usage), finish);
        return out + event(statusOf(finish) === 'completed' ? 'response.completed' : 'response.incomplete', { response });
      }
      let out = start();
      const chunk = item.chunk;
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        if (choice.index !== 0) continue;
        const d = choice.delta ?? {};
        if (typeof d.content === 'string' && d.content !== '') out += text(d.content);
        for (const t of d.tool_calls ?? []) out += tool(t);
        if (choice.finish_reason) finish = choice.finish_reason;
      }
      return out;
    },
    end: () => '',
  };
}
