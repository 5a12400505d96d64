// The pivot chat.completion → an OpenAI Responses API `response` object (unary), and the pieces the stream encoder
// shares: the response envelope, output items and usage.
import type { ChatCompletion, ChatUsage, CodecContext, FinishReason, JsonObject } from '../../../core/llm/index.js';

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function responsesUsage(u: ChatUsage | null | undefined): ResponseUsage | null {
  if (!u) return null;
  return {
    input_tokens: u.prompt_tokens,
    input_tokens_details: { cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: u.completion_tokens,
    output_tokens_details: { reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens,
  };
}

/** The `response` envelope; `status` in_progress while streaming. */
export function responseEnvelope(id: string, createdAt: number, cx: CodecContext, status: string, output: JsonObject[], usage: ResponseUsage | null, finish: FinishReason | null): JsonObject {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: finish === 'content_filter' ? 'content_filter' : 'max_output_tokens' } : null,
    model: cx.models.reported,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    tool_choice: 'auto',
    tools: [],
    text: { format: { type: 'text' } },
    usage,
    metadata: {},
  };
}

export const statusOf = (finish: FinishReason | null): string => (finish === 'length' || finish === 'content_filter' ? 'incomplete' : 'completed');

export function messageItem(id: string, text: string, status: string): JsonObject {
  return { type: 'message', id, status, role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: string): JsonObject {
  return { type: 'function_call', id, call_id: callId, name, arguments: args, status };
}

export function chatToResponses(res: ChatCompletion, cx: CodecContext): JsonObject {
  const choice = res.choices[0];
  const output: JsonObject[] = [];
  const msg = choice?.message;
  const text = typeof msg?.content === 'string' ? msg.content : '';
  if (text !== '' || !msg?.tool_calls?.length) output.push(messageItem(cx.newId('msg_'), text, 'completed'));
  for (const c of msg?.tool_calls ?? []) output.push(functionCallItem(cx.newId('fc_'), c.id, c.function.name, c.function.arguments, 'completed'));
  const finish = choice?.finish_reason ?? null;
  return responseEnvelope(cx.newId('resp_'), res.created ?? cx.now(), cx, statusOf(finish), output, responsesUsage(res.usage), finish);
}
