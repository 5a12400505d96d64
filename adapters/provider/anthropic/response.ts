// Unary Anthropic Messages responses ⇄ the pivot chat.completion, with stop reasons and usage mapped. Anthropic's
// input_tokens exclude cached tokens while OpenAI's prompt_tokens include them, hence the sums and differences.
import { badProviderResponse, describeValue, isPlainObject, parseJsonObject, type ChatCompletion, type ChatToolCall, type ChatUsage, type CodecContext, type FinishReason, type JsonObject } from '../../../core/llm/index.js';

const FINISH_BY_STOP: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};
const STOP_BY_FINISH: Record<FinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

export const finishFromStop = (stop: unknown): FinishReason | null =>
  typeof stop === 'string' ? (FINISH_BY_STOP[stop] ?? 'stop') : null;
export const stopFromFinish = (finish: FinishReason | null | undefined): string => (finish ? STOP_BY_FINISH[finish] : 'end_turn');

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Anthropic usage → OpenAI usage (prompt_tokens includes cache reads and writes). */
export function usageFromAnthropic(u: unknown): ChatUsage {
  const o = isPlainObject(u) ? u : {};
  const cached = num(o.cache_read_input_tokens);
  const prompt = num(o.input_tokens) + cached + num(o.cache_creation_input_tokens);
  const completion = num(o.output_tokens);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } };
}

/** OpenAI usage → Anthropic usage (cache writes are not reported by OpenAI or Gemini: 0). */
export function usageToAnthropic(u: ChatUsage | null | undefined): JsonObject {
  const cached = num(u?.prompt_tokens_details?.cached_tokens);
  return {
    input_tokens: Math.max(0, num(u?.prompt_tokens) - cached),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: num(u?.completion_tokens),
  };
}

export function anthropicBodyToChat(body: unknown, cx: CodecContext): ChatCompletion {
  if (!isPlainObject(body) || !Array.isArray(body.content)) throw badProviderResponse(cx.provider, 'no content array');
  let text = '';
  const calls: ChatToolCall[] = [];
  for (const b of body.content) {
    if (!isPlainObject(b)) continue;
    if (b.type === 'text' && typeof b.text === 'string') text += b.text;
    else if (b.type === 'tool_use' && typeof b.id === 'string' && typeof b.name === 'string') {
      calls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    } else cx.log.debug({ field: `content.${describeValue(b.type)}`, provider: cx.provider }, 'dropped a response block with no OpenAI equivalent');
  }
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
  if (calls.length > 0) message.tool_calls = calls;
  message.refusal = null;
  return {
    id: typeof body.id === 'string' ? body.id : cx.newId('msg_'),
    object: 'chat.completion',
    created: cx.now(),
    model: typeof body.model === 'string' ? body.model : cx.models.upstream,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishFromStop(body.stop_reason) ?? 'stop' }],
    usage: usageFromAnthropic(body.usage),
  };
}

export function chatToAnthropicResponse(res: ChatCompletion, cx: CodecContext): JsonObject {
  const choice = res.choices[0];
  if (res.choices.length > 1) cx.log.debug({ field: 'choices[1..]', provider: cx.provider }, 'kept only the first choice');
  const content: JsonObject[] = [];
  const text = choice?.message.content;
  if (typeof text === 'string' && text !== '') content.push({ type: 'text', text });
  for (const c of choice?.message.tool_calls ?? []) {
    let input = parseJsonObject(c.function.arguments);
    if (!input) {
      cx.log.warn({ tool: c.function.name, provider: cx.provider }, 'tool call arguments are not a JSON object; sent as {}');
      input = {};
    }
    content.push({ type: 'tool_use', id: c.id, name: c.function.name, input });
  }
  return {
    id: res.id,
    type: 'message',
    role: 'assistant',
    model: cx.models.reported,
    content,
    stop_reason: stopFromFinish(choice?.finish_reason),
    stop_sequence: null,
    usage: usageToAnthropic(res.usage),
  };
}
