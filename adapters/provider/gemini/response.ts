// Unary Gemini GenerateContentResponse ⇄ the pivot chat.completion: candidates ⇄ choices, finishReason ⇄
// finish_reason, usageMetadata ⇄ usage (OpenAI's completion_tokens include thinking tokens).
import { badProviderResponse, isPlainObject, parseJsonObject, type ChatCompletion, type ChatToolCall, type ChatUsage, type CodecContext, type FinishReason, type JsonObject } from '../../../core/llm/index.js';
import { encodeToolId } from './fields.js';

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'LANGUAGE']);

export function finishFromGemini(reason: unknown, sawCalls: boolean): FinishReason | null {
  if (typeof reason !== 'string' || reason === '' || reason === 'FINISH_REASON_UNSPECIFIED') return null;
  if (reason === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  return sawCalls ? 'tool_calls' : 'stop';
}

export function finishToGemini(finish: FinishReason | null | undefined): string {
  if (finish === 'length') return 'MAX_TOKENS';
  if (finish === 'content_filter') return 'SAFETY';
  return 'STOP';
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function usageFromGemini(u: unknown): ChatUsage {
  const o = isPlainObject(u) ? u : {};
  const prompt = num(o.promptTokenCount);
  const thoughts = num(o.thoughtsTokenCount);
  const completion = num(o.candidatesTokenCount) + thoughts;
  const usage: ChatUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: num(o.totalTokenCount) || prompt + completion,
    prompt_tokens_details: { cached_tokens: num(o.cachedContentTokenCount) },
  };
  if (thoughts > 0) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

export function usageToGemini(u: ChatUsage | null | undefined): JsonObject {
  const reasoning = num(u?.completion_tokens_details?.reasoning_tokens);
  const out: JsonObject = {
    promptTokenCount: num(u?.prompt_tokens),
    candidatesTokenCount: Math.max(0, num(u?.completion_tokens) - reasoning),
    totalTokenCount: num(u?.total_tokens),
  };
  const cached = num(u?.prompt_tokens_details?.cached_tokens);
  if (cached > 0) out.cachedContentTokenCount = cached;
  if (reasoning > 0) out.thoughtsTokenCount = reasoning;
  return out;
}

/** A functionCall part → a pivot tool call; the id is Gemini's own or a fresh one, with the thought signature inside. */
export function toolCallFromPart(part: JsonObject, cx: CodecContext): ChatToolCall | undefined {
  const fc = isPlainObject(part.functionCall) ? part.functionCall : undefined;
  if (!fc || typeof fc.name !== 'string') return undefined;
  const id = typeof fc.id === 'string' && fc.id !== '' ? fc.id : cx.newId('call_');
  const sig = typeof part.thoughtSignature === 'string' ? part.thoughtSignature : typeof fc.thoughtSignature === 'string' ? fc.thoughtSignature : undefined;
  return { id: encodeToolId(id, sig), type: 'function', function: { name: fc.name, arguments: JSON.stringify(fc.args ?? {}) } };
}

export function geminiBodyToChat(body: unknown, cx: CodecContext): ChatCompletion {
  if (!isPlainObject(body)) throw badProviderResponse(cx.provider, 'not a JSON object');
  const candidates = Array.isArray(body.candidates) ? body.candidates.filter(isPlainObject) : [];
  const choices: ChatCompletion['choices'] = candidates.map((c, i) => {
    const parts = isPlainObject(c.content) && Array.isArray(c.content.parts) ? c.content.parts.filter(isPlainObject) : [];
    const text = parts.filter((p) => typeof p.text === 'string' && p.thought !== true).map((p) => p.text as string).join('');
    const calls = parts.map((p) => toolCallFromPart(p, cx)).filter((c): c is ChatToolCall => c !== undefined);
    const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
    if (calls.length > 0) message.tool_calls = calls;
    message.refusal = null;
    return { index: typeof c.index === 'number' ? c.index : i, message, logprobs: null, finish_reason: finishFromGemini(c.finishReason, calls.length > 0) ?? 'stop' };
  });
  if (choices.length === 0) {
    // A blocked prompt has no candidates, only promptFeedback.blockReason.
    choices.push({ index: 0, message: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: 'content_filter' });
  }
  return {
    id: typeof body.responseId === 'string' ? body.responseId : cx.newId('chatcmpl-'),
    object: 'chat.completion',
    created: cx.now(),
    model: typeof body.modelVersion === 'string' ? body.modelVersion : cx.models.upstream,
    choices,
    usage: usageFromGemini(body.usageMetadata),
  };
}

/** Pivot tool calls → functionCall parts; the id goes along so a Gemini client can echo it in functionResponse.id. */
export function callParts(calls: ReadonlyArray<{ id: string; name: string; arguments: string }>, cx: CodecContext): JsonObject[] {
  return calls.map((c) => {
    let args = parseJsonObject(c.arguments);
    if (!args) {
      cx.log.warn({ tool: c.name, provider: cx.provider }, 'tool call arguments are not a JSON object; sent as {}');
      args = {};
    }
    return { functionCall: { id: c.id, name: c.name, args } };
  });
}

export function chatToGeminiResponse(res: ChatCompletion, cx: CodecContext): JsonObject {
  const candidates = res.choices.map((ch) => {
    const parts: JsonObject[] = [];
    if (typeof ch.message.content === 'string' && ch.message.content !== '') parts.push({ text: ch.message.content });
    parts.push(...callParts((ch.message.tool_calls ?? []).map((t) => ({ id: t.id, name: t.function.name, arguments: t.function.arguments })), cx));
    if (parts.length === 0) parts.push({ text: '' });
    return { content: { parts, role: 'model' }, finishReason: finishToGemini(ch.finish_reason), index: ch.index };
  });
  return { candidates, usageMetadata: usageToGemini(res.usage), modelVersion: cx.models.reported, responseId: res.id };
}
