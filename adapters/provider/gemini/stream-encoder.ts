// Pivot items → a Gemini client's stream: SSE (`data: {...}\r\n\r\n`, with ?alt=sse) or the progressive JSON array
// Gemini sends without it. Tool-call argument deltas are held and sent whole as functionCall parts with the finish.
import { streamStatus, wantsGeminiSse, type ChatUsage, type CodecContext, type FinishReason, type JsonObject, type StreamEncoder, type StreamItem } from '../../../core/llm/index.js';
import { geminiErrorObject } from './errors.js';
import { callParts, finishToGemini, usageToGemini } from './response.js';

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

export const wantsSse = wantsGeminiSse;

export function createGeminiEncoder(cx: CodecContext): StreamEncoder {
  const sse = wantsSse(cx.clientQuery);
  let first = true;
  let id = '';
  let usage: ChatUsage | undefined;
  const calls = new Map<number, Map<number, PendingCall>>();
  const finishes = new Map<number, FinishReason>();

  const frame = (obj: JsonObject): string => {
    const json = JSON.stringify(obj);
    if (sse) return `data: ${json}\r\n\r\n`;
    const out = (first ? '[' : ',\r\n') + json;
    first = false;
    return out;
  };
  const meta = (): JsonObject => ({ modelVersion: cx.models.reported, responseId: id || cx.newId('resp_') });

  const finalFrame = (): string => {
    const indexes = [...new Set([0, ...calls.keys(), ...finishes.keys()])].sort((a, b) => a - b);
    const candidates = indexes.map((index) => {
      const pending = [...(calls.get(index)?.entries() ?? [])].sort(([a], [b]) => a - b).map(([, c]) => c);
      const parts = callParts(pending, cx);
      return { content: { parts: parts.length > 0 ? parts : [{ text: '' }], role: 'model' }, finishReason: finishToGemini(finishes.get(index)), index };
    });
    return frame({ candidates, usageMetadata: usageToGemini(usage), ...meta() });
  };

  return {
    write(item: StreamItem): string {
      if (item.type === 'error') {
        return frame(geminiErrorObject(item.error, streamStatus(item.error.status)));
      }
      if (item.type === 'done') return finalFrame();
      const { chunk } = item;
      if (!id) id = chunk.id;
      if (chunk.usage) usage = chunk.usage;
      let out = '';
      for (const choice of chunk.choices) {
        const d = choice.delta;
        if (typeof d.content === 'string' && d.content !== '') {
          out += frame({ candidates: [{ content: { parts: [{ text: d.content }], role: 'model' }, index: choice.index }], ...meta() });
        }
        for (const tc of d.tool_calls ?? []) {
          const byIndex = calls.get(choice.index) ?? new Map<number, PendingCall>();
          calls.set(choice.index, byIndex);
          const call = byIndex.get(tc.index) ?? { id: '', name: '', arguments: '' };
          byIndex.set(tc.index, call);
          if (tc.id) call.id = tc.id;
          if (tc.function?.name) call.name = tc.function.name;
          call.arguments += tc.function?.arguments ?? '';
        }
        if (choice.finish_reason) finishes.set(choice.index, choice.finish_reason);
      }
      return out;
    },
    end: () => (sse ? '' : first ? '[]' : ']'),
  };
}
