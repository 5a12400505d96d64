// Anthropic Messages SSE (message_start, content_block_*, message_delta, message_stop, ping, error) → pivot items:
// text deltas, tool-call starts and argument deltas (one OpenAI tool index per tool_use block), finish, usage, done.
import { type SseEvent } from '../../../core/index.js';
import { parseStreamEvent, chatChunk, describeValue, isPlainObject, usageChunk, type ChatChunk, type CodecContext, type FinishReason, type JsonObject, type StreamDecoder, type StreamItem } from '../../../core/llm/index.js';
import { anthropicErrorFrom } from './errors.js';
import { finishFromStop, usageFromAnthropic } from './response.js';

/** A block's `index` (a number; a numeric string is read too); NaN for anything else, which matches no block. */
const blockIndex = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN);

type BlockState = { kind: 'text' } | { kind: 'tool'; toolIndex: number } | { kind: 'skip' };

export function createAnthropicDecoder(cx: CodecContext): StreamDecoder {
  const base = { id: '', created: cx.now(), model: cx.models.upstream };
  const blocks = new Map<number, BlockState>();
  let tools = 0;
  let usage: JsonObject = {};
  let finish: FinishReason | null = null;
  let done = false;
  const chunk = (delta: ChatChunk['choices'][number]['delta'], reason: FinishReason | null = null): StreamItem => ({
    type: 'chunk',
    chunk: chatChunk(base, delta, reason),
  });
  const finalItems = (): StreamItem[] => {
    done = true;
    return [{ type: 'chunk', chunk: usageChunk(base, usageFromAnthropic(usage)) }, { type: 'done' }];
  };

  return {
    write(ev: SseEvent): StreamItem[] {
      if (done || ev.data.trim() === '') return [];
      const obj = parseStreamEvent(ev.data, cx.provider);
      switch (obj.type ?? ev.event) {
        case 'message_start': {
          const msg = isPlainObject(obj.message) ? obj.message : {};
          base.id = typeof msg.id === 'string' ? msg.id : cx.newId('msg_');
          if (typeof msg.model === 'string') base.model = msg.model;
          usage = isPlainObject(msg.usage) ? { ...msg.usage } : {};
          return [chunk({ role: 'assistant', content: '' })];
        }
        case 'content_block_start':
          return blockStart(blockIndex(obj.index), isPlainObject(obj.content_block) ? obj.content_block : {});
        case 'content_block_delta':
          return blockDelta(blocks.get(blockIndex(obj.index)), isPlainObject(obj.delta) ? obj.delta : {});
        case 'message_delta': {
          const delta = isPlainObject(obj.delta) ? obj.delta : {};
          finish = finishFromStop(delta.stop_reason) ?? 'stop';
          // message_delta usage totals are cumulative: overwrite, never add.
          if (isPlainObject(obj.usage)) for (const [k, v] of Object.entries(obj.usage)) if (v !== null) usage[k] = v;
          return [chunk({}, finish)];
        }
        case 'message_stop':
          return finalItems();
        case 'error':
          done = true;
          return [{ type: 'error', error: anthropicErrorFrom(500, obj.error, 'The provider reported an error in the stream.') }];
        default:
          return []; // ping, content_block_stop, and event types added later
      }
    },
    end(): StreamItem[] {
      if (done) return [];
      if (finish !== null) return finalItems();
      return [{ type: 'error', error: { status: 502, kind: 'server', message: 'The provider stream ended before message_stop.' } }];
    },
  };

  function blockStart(index: number, cb: JsonObject): StreamItem[] {
    if (cb.type === 'text') {
      blocks.set(index, { kind: 'text' });
      return typeof cb.text === 'string' && cb.text !== '' ? [chunk({ content: cb.text })] : [];
    }
    if (cb.type === 'tool_use' && typeof cb.id === 'string' && typeof cb.name === 'string') {
      const toolIndex = tools++;
      blocks.set(index, { kind: 'tool', toolIndex });
      const input = isPlainObject(cb.input) && Object.keys(cb.input).length > 0 ? JSON.stringify(cb.input) : '';
      return [chunk({ tool_calls: [{ index: toolIndex, id: cb.id, type: 'function', function: { name: cb.name, arguments: input } }] })];
    }
    blocks.set(index, { kind: 'skip' });
    cx.log.debug({ field: `content_block.${describeValue(cb.type)}`, provider: cx.provider }, 'dropped a streamed block with no OpenAI equivalent');
    return [];
  }

  function blockDelta(block: BlockState | undefined, d: JsonObject): StreamItem[] {
    if (block?.kind === 'text' && d.type === 'text_delta' && typeof d.text === 'string' && d.text !== '') return [chunk({ content: d.text })];
    if (block?.kind === 'tool' && d.type === 'input_json_delta' && typeof d.partial_json === 'string' && d.partial_json !== '') {
      return [chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: d.partial_json } }] })];
    }
    return [];
  }
}
