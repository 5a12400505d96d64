// Pivot items → the Anthropic Messages SSE sequence a client SDK validates: message_start, then one content block at
// a time (text or tool_use with input_json_delta), message_delta with stop_reason and usage, message_stop.
import type { ChatUsage, CodecContext, StreamEncoder, StreamItem } from '../../../core/llm/index.js';
import { anthropicErrorObject } from './errors.js';
import { stopFromFinish, usageToAnthropic } from './response.js';

const event = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

export function createAnthropicEncoder(cx: CodecContext): StreamEncoder {
  let started = false;
  let open: { index: number; kind: 'text' | 'tool' } | undefined;
  let next = 0;
  const toolBlocks = new Map<number, number>();
  let stop: string | undefined;
  let usage: ChatUsage | undefined;

  /** Input tokens up front: the upstream's when its first pivot chunk carries usage, else the local count (cx.promptTokens). */
  const start = (id: string, early?: ChatUsage): string => {
    if (started) return '';
    started = true;
    const prompt = typeof early?.prompt_tokens === 'number' && early.prompt_tokens > 0 ? usageToAnthropic(early).input_tokens : (cx.promptTokens ?? 0);
    const message = {
      id: id || cx.newId('msg_'),
      type: 'message',
      role: 'assistant',
      model: cx.models.reported,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // LangChain's ChatAnthropic reads input tokens only here; message_delta carries the final totals.
      usage: { input_tokens: prompt, output_tokens: 0 },
    };
    return event('message_start', { type: 'message_start', message });
  };
  const close = (): string => {
    if (!open) return '';
    const out = event('content_block_stop', { type: 'content_block_stop', index: open.index });
    open = undefined;
    return out;
  };
  const openBlock = (kind: 'text' | 'tool', block: object): string => {
    const out = close();
    open = { index: next++, kind };
    return out + event('content_block_start', { type: 'content_block_start', index: open.index, content_block: block });
  };

  return {
    write(item: StreamItem): string {
      if (item.type === 'error') return event('error', anthropicErrorObject(item.error));
      if (item.type === 'done') {
        const delta = { stop_reason: stop ?? 'end_turn', stop_sequence: null };
        return (
          start('') +
          close() +
          event('message_delta', { type: 'message_delta', delta, usage: usageToAnthropic(usage) }) +
          event('message_stop', { type: 'message_stop' })
        );
      }
      const { chunk } = item;
      if (chunk.usage) usage = chunk.usage;
      let out = start(chunk.id, chunk.usage ?? undefined);
      for (const choice of chunk.choices) {
        if (choice.index !== 0) continue; // Anthropic has one message per response (n > 1 is refused upstream).
        const d = choice.delta;
        if (typeof d.content === 'string' && d.content !== '') {
          if (open?.kind !== 'text') out += openBlock('text', { type: 'text', text: '' });
          out += event('content_block_delta', { type: 'content_block_delta', index: open!.index, delta: { type: 'text_delta', text: d.content } });
        }
        for (const tc of d.tool_calls ?? []) {
          let index = toolBlocks.get(tc.index);
          if (index === undefined) {
            out += openBlock('tool', { type: 'tool_use', id: tc.id ?? cx.newId('toolu_'), name: tc.function?.name ?? '', input: {} });
            index = open!.index;
            toolBlocks.set(tc.index, index);
          }
          const args = tc.function?.arguments;
          if (args) out += event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args } });
        }
        if (choice.finish_reason) stop = stopFromFinish(choice.finish_reason);
      }
      return out;
    },
    end: () => '',
  };
}
