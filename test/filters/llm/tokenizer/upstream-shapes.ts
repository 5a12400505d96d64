// Response bodies in the exact shapes OpenAI, Anthropic and Gemini send, unary and streamed, for the tokenizer tests.
// OpenAI adds `"usage":null` to every chunk and a final `choices: []` usage chunk only when include_usage is set.

export const PIECES = ['Hello', ' there', '! How', ' can I', ' help', ' you today', '?'];
export const TEXT = PIECES.join('');

export function openaiStream(o: { includeUsage: boolean; pieces?: string[]; usage?: Record<string, unknown> | null; crlf?: boolean }): string {
  const pieces = o.pieces ?? PIECES;
  const usageField = o.includeUsage ? ',"usage":null' : '';
  const head = '"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_1"';
  const events = [`{${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]${usageField}}`];
  for (const p of pieces) events.push(`{${head},"choices":[{"index":0,"delta":{"content":${JSON.stringify(p)}},"logprobs":null,"finish_reason":null}]${usageField}}`);
  events.push(`{${head},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]${usageField}}`);
  const usage = o.usage === undefined ? { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } } : o.usage;
  if (o.includeUsage && usage) events.push(`{${head},"choices":[],"usage":${JSON.stringify(usage)}}`);
  const nl = o.crlf ? '\r\n' : '\n';
  return events.map((e) => `data: ${e}${nl}${nl}`).join('') + `data: [DONE]${nl}${nl}`;
}

export function openaiUnary(o: { usage?: boolean } = {}): string {
  return JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1700000000,
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, message: { role: 'assistant', content: TEXT }, finish_reason: 'stop' }],
    ...(o.usage === false ? {} : { usage: { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } } }),
  });
}

export function anthropicStream(o: { usage?: boolean } = {}): string {
  const withUsage = o.usage !== false;
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return [
    ev('message_start', {
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-20250514',
        content: [],
        stop_reason: null,
        ...(withUsage ? { usage: { input_tokens: 25, cache_creation_input_tokens: 3, cache_read_input_tokens: 5, output_tokens: 1 } } : {}),
      },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ': a comment line\n\n',
    'event: ping\ndata: {"type": "ping"}\n\n',
    ...PIECES.map((p) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } })),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, ...(withUsage ? { usage: { output_tokens: 15 } } : {}) }),
    ev('message_stop', {}),
  ].join('');
}

export function anthropicUnary(): string {
  return JSON.stringify({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-20250514',
    content: [{ type: 'text', text: TEXT }],
    stop_reason: 'end_turn',
    usage: { input_tokens: 25, cache_creation_input_tokens: 3, cache_read_input_tokens: 5, output_tokens: 15 },
  });
}

const GEMINI_USAGE = [
  { promptTokenCount: 10, candidatesTokenCount: 2, totalTokenCount: 12 },
  { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
  { promptTokenCount: 10, candidatesTokenCount: 9, thoughtsTokenCount: 4, totalTokenCount: 23, cachedContentTokenCount: 6 },
];

export function geminiStream(): string {
  const chunks = [PIECES.slice(0, 2), PIECES.slice(2, 5), PIECES.slice(5)];
  return chunks
    .map((parts, i) => {
      const c = { candidates: [{ content: { role: 'model', parts: [{ text: parts.join('') }] }, index: 0 }], usageMetadata: GEMINI_USAGE[i], modelVersion: 'gemini-2.5-flash' };
      return `data: ${JSON.stringify(c)}\r\n\r\n`;
    })
    .join('');
}

export function geminiUnary(): string {
  return JSON.stringify({
    candidates: [{ content: { role: 'model', parts: [{ text: TEXT }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: GEMINI_USAGE[2],
    modelVersion: 'gemini-2.5-flash',
  });
}

/** The normalised usage each shape above reports (see usage.ts for the rules). */
export const EXPECTED = {
  openai: { model: 'gpt-4o-2024-08-06', prompt: 19, completion: 10, total: 29, cached: 4, reasoning: 2 },
  anthropic: { model: 'claude-sonnet-4-20250514', prompt: 33, completion: 15, total: 48, cached: 5, reasoning: 0 },
  gemini: { model: 'gemini-2.5-flash', prompt: 10, completion: 13, total: 23, cached: 6, reasoning: 4 },
} as const;

/** The `model` label of each shape's metrics: the price book's id of the model the answer names. */
export const MODEL_LABEL = { openai: 'gpt-4o', anthropic: 'claude-sonnet-4-0', gemini: 'gemini-2.5-flash' } as const;

export const MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Say hello and offer help, politely and briefly.' },
];
