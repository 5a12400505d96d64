// Task `countChatTokens`: prompt tokens of a chat request by OpenAI's published rules (openai-cookbook "How to count
// tokens with tiktoken"): 3 tokens per message, +1 per `name`, +3 to prime the reply; every string field is encoded.
import { baseModelName, chooseEncoding, getEncoder, type Encoder } from './encodings.js';
import { TaskError } from './task-error.js';
import type { CountChatTokensInput, CountChatTokensOutput } from './types.js';

export function countChatTokens(input: CountChatTokensInput): CountChatTokensOutput {
  if (!Array.isArray(input?.messages)) throw new TaskError('DGP_ERR_WORKER_TASK', 'countChatTokens: input.messages must be an array.');
  const encoder = getEncoder(chooseEncoding(input));
  // gpt-3.5-turbo-0301 used 4 per message and -1 per name; every later chat model uses 3 and +1.
  const legacy = input.model !== undefined && baseModelName(input.model).startsWith('gpt-3.5-turbo-0301');
  const perMessage = legacy ? 4 : 3;
  const perName = legacy ? -1 : 1;
  const state = { count: 0, uncounted: 0 };
  for (const msg of input.messages) {
    state.count += perMessage;
    if (msg === null || typeof msg !== 'object') continue;
    for (const [key, value] of Object.entries(msg)) {
      countValue(encoder, key, value, state);
      if (key === 'name') state.count += perName;
    }
  }
  state.count += 3;
  if (input.tools !== undefined) state.count += encoder.encode(JSON.stringify(input.tools)).length;
  return { count: state.count, encoding: encoder.name, uncountedParts: state.uncounted };
}

function countValue(encoder: Encoder, key: string, value: unknown, state: { count: number; uncounted: number }): void {
  if (typeof value === 'string') {
    state.count += encoder.encode(value).length;
  } else if (key === 'content' && Array.isArray(value)) {
    for (const part of value) {
      const text = partText(part);
      if (text === undefined) state.uncounted++;
      else state.count += encoder.encode(text).length;
    }
  } else if (key === 'tool_calls' && Array.isArray(value)) {
    for (const call of value) {
      const fn = (call as { function?: { name?: unknown; arguments?: unknown } })?.function;
      if (typeof fn?.name === 'string') state.count += encoder.encode(fn.name).length;
      if (typeof fn?.arguments === 'string') state.count += encoder.encode(fn.arguments).length;
    }
  }
}

/** Text of a content part in OpenAI (`text`), Anthropic (`text`, `thinking`) or tool-result shapes; else undefined. */
function partText(part: unknown): string | undefined {
  if (typeof part === 'string') return part;
  if (part === null || typeof part !== 'object') return undefined;
  const p = part as Record<string, unknown>;
  if (typeof p.text === 'string') return p.text;
  if (typeof p.thinking === 'string') return p.thinking;
  if (p.input !== undefined && typeof p.name === 'string') return p.name + JSON.stringify(p.input);
  if (typeof p.content === 'string') return p.content;
  return undefined;
}
