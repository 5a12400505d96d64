// A unary Converse response (`output.message`, `stopReason`, `usage`) → the pivot chat.completion. Bedrock's
// inputTokens exclude cache reads and writes (reported apart), while OpenAI's prompt_tokens include them.
import { badProviderResponse, describeValue, isPlainObject, type ChatCompletion, type ChatToolCall, type ChatUsage, type CodecContext, type FinishReason } from '../../../core/llm/index.js';

const FINISH_BY_STOP: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

export const finishFromStop = (stop: unknown): FinishReason | null => (typeof stop === 'string' ? (FINISH_BY_STOP[stop] ?? 'stop') : null);

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function usageFromBedrock(u: unknown): ChatUsage {
  const o = isPlainObject(u) ? u : {};
  const cached = num(o.cacheReadInputTokens);
  const prompt = num(o.inputTokens) + cached + num(o.cacheWriteInputTokens);
  const completion = num(o.outputTokens);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: num(o.totalTokens) || prompt + completion, prompt_tokens_details: { cached_tokens: cached } };
}

export function converseBodyToChat(body: unknown, cx: CodecContext): ChatCompletion {
  const message = isPlainObject(body) && isPlainObject(body.output) && isPlainObject(body.output.message) ? body.output.message : undefined;
  if (!isPlainObject(body) || !message || !Array.isArray(message.content)) throw badProviderResponse(cx.provider, 'no output.message.content array');
  let text = '';
  const calls: ChatToolCall[] = [];
  for (const b of message.content) {
    if (!isPlainObject(b)) continue;
    if (typeof b.text === 'string') text += b.text;
    else if (isPlainObject(b.toolUse) && typeof b.toolUse.name === 'string') {
      const id = typeof b.toolUse.toolUseId === 'string' ? b.toolUse.toolUseId : cx.newId('tooluse_');
      calls.push({ id, type: 'function', function: { name: b.toolUse.name, arguments: JSON.stringify(b.toolUse.input ?? {}) } });
    } else cx.log.debug({ field: `output.message.content.${describeValue(Object.keys(b)[0])}`, provider: cx.provider }, 'dropped a response block with no OpenAI equivalent');
  }
  const out: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
  if (calls.length > 0) out.tool_calls = calls;
  out.refusal = null;
  return {
    id: cx.newId('chatcmpl-'),
    object: 'chat.completion',
    created: cx.now(),
    model: cx.models.upstream,
    choices: [{ index: 0, message: out, logprobs: null, finish_reason: finishFromStop(body.stopReason) ?? 'stop' }],
    usage: usageFromBedrock(body.usage),
  };
}
