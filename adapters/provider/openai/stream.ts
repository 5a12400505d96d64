// OpenAI chat.completion.chunk streams: the decoder (provider SSE → pivot items) and the encoder (pivot items → the
// client's SSE, with `stream_options.include_usage` honoured: usage: null on every chunk, then one usage chunk).
import { type SseEvent } from '../../../core/index.js';
import { parseStreamEvent, isPlainObject, kindFromStatus, type ChatChunk, type CodecContext, type StreamDecoder, type StreamEncoder, type StreamItem } from '../../../core/llm/index.js';
import { openAiErrorObject } from './errors.js';

export function createOpenAiDecoder(cx: CodecContext): StreamDecoder {
  let done = false;
  let finished = false;
  return {
    write(ev: SseEvent): StreamItem[] {
      const data = ev.data.trim();
      if (data === '') return [];
      if (data === '[DONE]') {
        done = true;
        return [{ type: 'done' }];
      }
      const obj = parseStreamEvent(data, cx.provider);
      if (isPlainObject(obj.error)) {
        const e = obj.error;
        const status = typeof e.code === 'number' ? e.code : 200;
        const message = typeof e.message === 'string' ? e.message : 'The provider reported an error in the stream.';
        return [{ type: 'error', error: { status, kind: status === 200 ? 'server' : kindFromStatus(status), message } }];
      }
      const chunk = obj as unknown as ChatChunk;
      if (!Array.isArray(chunk.choices)) chunk.choices = [];
      if (chunk.choices.some((c) => isPlainObject(c) && c.finish_reason)) finished = true;
      return [{ type: 'chunk', chunk }];
    },
    end(): StreamItem[] {
      if (done) return [];
      // Some OpenAI-compatible servers omit [DONE]; a finish_reason is enough to call the stream complete.
      if (finished) return [{ type: 'done' }];
      return [{ type: 'error', error: { status: 502, kind: 'server', message: 'The provider stream ended before the response was complete.' } }];
    },
  };
}

export function createOpenAiEncoder(cx: CodecContext): StreamEncoder {
  return {
    write(item: StreamItem): string {
      if (item.type === 'done') return 'data: [DONE]\n\n';
      if (item.type === 'error') return `data: ${JSON.stringify({ error: openAiErrorObject(item.error) })}\n\n`;
      const chunk: ChatChunk = { ...item.chunk, model: cx.models.reported };
      if (cx.includeUsage) {
        chunk.usage = item.chunk.usage ?? null;
      } else if (chunk.usage !== undefined) {
        if (chunk.choices.length === 0) return '';
        delete chunk.usage;
      }
      return `data: ${JSON.stringify(chunk)}\n\n`;
    },
    end: () => '',
  };
}
