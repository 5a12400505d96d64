// ConverseStream events (read from the event stream framing as `{"<eventType>": payload}`) → pivot items: text
// deltas, a tool call per toolUse block (started by contentBlockStart, arguments from toolUse.input deltas), the finish
// reason at messageStop, usage from the trailing metadata event, and exceptions as errors.
import { type SseEvent } from '../../../core/index.js';
import { chatChunk, isPlainObject, parseStreamEvent, usageChunk, type ChatChunk, type CodecContext, type FinishReason, type StreamDecoder, type StreamItem } from '../../../core/llm/index.js';
import { bedrockErrorFrom, errorTypeName } from './errors.js';
import { finishFromStop, usageFromBedrock } from './response.js';

export function createConverseDecoder(cx: CodecContext): StreamDecoder {
  const base = { id: cx.newId('chatcmpl-'), created: cx.now(), model: cx.models.upstream };
  /** contentBlockIndex → OpenAI tool index, for toolUse blocks. */
  const tools = new Map<number, number>();
  let usage: unknown;
  let started = false;
  let finished = false;
  let done = false;
  const chunk = (delta: ChatChunk['choices'][number]['delta'], reason: FinishReason | null = null): StreamItem => ({ type: 'chunk', chunk: chatChunk(base, delta, reason) });
  const start = (items: StreamItem[]): void => {
    if (started) return;
    started = true;
    items.push(chunk({ role: 'assistant', content: '' }));
  };

  return {
    write(ev: SseEvent): StreamItem[] {
      if (done) return [];
      const obj = parseStreamEvent(ev.data, cx.provider);
      const name = Object.keys(obj)[0] ?? '';
      const p = isPlainObject(obj[name]) ? obj[name] : {};
      if (ev.event === 'exception') {
        done = true;
        const message = typeof p.message === 'string' ? p.message : typeof p.Message === 'string' ? p.Message : `The provider stream failed (${name}).`;
        return [{ type: 'error', error: bedrockErrorFrom(200, errorTypeName(name), message) }];
      }
      const items: StreamItem[] = [];
      const index = typeof p.contentBlockIndex === 'number' ? p.contentBlockIndex : -1;
      switch (name) {
        case 'messageStart':
          start(items);
          break;
        case 'contentBlockStart': {
          start(items);
          const use = isPlainObject(p.start) && isPlainObject(p.start.toolUse) ? p.start.toolUse : undefined;
          if (use && typeof use.name === 'string') {
            const toolIndex = tools.size;
            tools.set(index, toolIndex);
            const id = typeof use.toolUseId === 'string' ? use.toolUseId : cx.newId('tooluse_');
            items.push(chunk({ tool_calls: [{ index: toolIndex, id, type: 'function', function: { name: use.name, arguments: '' } }] }));
          }
          break;
        }
        case 'contentBlockDelta': {
          start(items);
          const d = isPlainObject(p.delta) ? p.delta : {};
          if (typeof d.text === 'string') {
            if (d.text !== '') items.push(chunk({ content: d.text }));
          } else if (isPlainObject(d.toolUse) && typeof d.toolUse.input === 'string') {
            const toolIndex = tools.get(index);
            if (toolIndex !== undefined && d.toolUse.input !== '') items.push(chunk({ tool_calls: [{ index: toolIndex, function: { arguments: d.toolUse.input } }] }));
          }
          break;
        }
        case 'messageStop':
          start(items);
          finished = true;
          items.push(chunk({}, finishFromStop(p.stopReason) ?? 'stop'));
          break;
        case 'metadata':
          usage = p.usage;
          break;
        default:
          // contentBlockStop, and events this gateway does not read (reasoning, guardrail traces).
          break;
      }
      return items;
    },
    end(): StreamItem[] {
      if (done) return [];
      done = true;
      if (finished) return [{ type: 'chunk', chunk: usageChunk(base, usageFromBedrock(usage)) }, { type: 'done' }];
      const message = started ? 'The provider stream ended before messageStop.' : 'The provider answered with an empty stream.';
      return [{ type: 'error', error: { status: 502, kind: 'server', message } }];
    },
  };
}
