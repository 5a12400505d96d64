// Gemini streamGenerateContent?alt=sse events (each a GenerateContentResponse) → pivot items. Text parts arrive as
// deltas; a functionCall arrives whole and becomes one tool-call delta; usageMetadata is cumulative (last one wins).
import { type SseEvent } from '../../../core/index.js';
import { parseStreamEvent, chatChunk, isPlainObject, usageChunk, type ChatChunk, type CodecContext, type FinishReason, type StreamDecoder, type StreamItem } from '../../../core/llm/index.js';
import { geminiErrorFrom } from './errors.js';
import { finishFromGemini, toolCallFromPart, usageFromGemini } from './response.js';

export function createGeminiDecoder(cx: CodecContext): StreamDecoder {
  const base = { id: '', created: cx.now(), model: cx.models.upstream };
  const toolCounts = new Map<number, number>();
  let usage: unknown;
  let started = false;
  let finished = false;
  let done = false;
  const chunk = (delta: ChatChunk['choices'][number]['delta'], reason: FinishReason | null = null, index = 0): StreamItem => ({
    type: 'chunk',
    chunk: chatChunk(base, delta, reason, index),
  });

  return {
    write(ev: SseEvent): StreamItem[] {
      if (done || ev.data.trim() === '') return [];
      const obj = parseStreamEvent(ev.data, cx.provider);
      if (isPlainObject(obj.error)) {
        done = true;
        return [{ type: 'error', error: geminiErrorFrom(200, obj.error) }];
      }
      const items: StreamItem[] = [];
      if (!started) {
        started = true;
        base.id = typeof obj.responseId === 'string' ? obj.responseId : cx.newId('chatcmpl-');
        if (typeof obj.modelVersion === 'string') base.model = obj.modelVersion;
        items.push(chunk({ role: 'assistant', content: '' }));
      }
      if (obj.usageMetadata !== undefined) usage = obj.usageMetadata;
      const candidates = Array.isArray(obj.candidates) ? obj.candidates.filter(isPlainObject) : [];
      candidates.forEach((c, i) => {
        const index = typeof c.index === 'number' ? c.index : i;
        const parts = isPlainObject(c.content) && Array.isArray(c.content.parts) ? c.content.parts.filter(isPlainObject) : [];
        for (const p of parts) {
          if (p.thought === true) continue;
          if (typeof p.text === 'string') {
            if (p.text !== '') items.push(chunk({ content: p.text }, null, index));
            continue;
          }
          const call = toolCallFromPart(p, cx);
          if (!call) continue;
          const toolIndex = toolCounts.get(index) ?? 0;
          toolCounts.set(index, toolIndex + 1);
          items.push(chunk({ tool_calls: [{ index: toolIndex, id: call.id, type: 'function', function: call.function }] }, null, index));
        }
        const finish = finishFromGemini(c.finishReason, toolCounts.has(index));
        if (finish !== null) {
          finished = true;
          items.push(chunk({}, finish, index));
        }
      });
      if (candidates.length === 0 && isPlainObject(obj.promptFeedback) && obj.promptFeedback.blockReason !== undefined) {
        finished = true;
        items.push(chunk({}, 'content_filter'));
      }
      return items;
    },
    end(): StreamItem[] {
      if (done) return [];
      done = true;
      if (finished) return [{ type: 'chunk', chunk: usageChunk(base, usageFromGemini(usage)) }, { type: 'done' }];
      const message = started ? 'The provider stream ended before a finishReason.' : 'The provider answered with an empty stream.';
      return [{ type: 'error', error: { status: 502, kind: 'server', message } }];
    },
  };
}
