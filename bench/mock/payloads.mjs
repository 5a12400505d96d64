// The mock upstream's deterministic bodies: an OpenAI chat completion (~1 KB of JSON) and a chat stream of 20 content
// chunks, one usage chunk and [DONE]. Plain ESM (no TypeScript loader) so the mock's RSS is Node's alone.

const ID = 'chatcmpl-bench0000000000000000000000';
const MODEL = 'gpt-4o-mini-2024-07-18';
const CREATED = 1700000000;
const USAGE = { prompt_tokens: 24, completion_tokens: 20, total_tokens: 44 };

/** One sentence repeated: the content of the unary reply, sized so that the whole JSON body is about 1 KB. */
const CONTENT = 'The gateway forwards this deterministic reply so that every run measures the same bytes. '.repeat(8).trim();

/** @returns {Buffer} */
export function unaryBody() {
  return Buffer.from(
    JSON.stringify({
      id: ID,
      object: 'chat.completion',
      created: CREATED,
      model: MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content: CONTENT, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { ...USAGE, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
      system_fingerprint: 'fp_bench',
    }),
  );
}

const event = (obj) => `data: ${JSON.stringify(obj)}\n\n`;
const chunk = (delta, finish) => ({ id: ID, object: 'chat.completion.chunk', created: CREATED, model: MODEL, system_fingerprint: 'fp_bench', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });

/** The SSE events, each a separate Buffer so the mock writes them as separate chunks. @returns {Buffer[]} */
export function streamEvents(contentChunks = 20) {
  const out = [];
  for (let i = 0; i < contentChunks; i++) {
    const delta = i === 0 ? { role: 'assistant', content: `tok${i} ` } : { content: `tok${i} ` };
    out.push(event(chunk(delta, i === contentChunks - 1 ? 'stop' : null)));
  }
  out.push(event({ id: ID, object: 'chat.completion.chunk', created: CREATED, model: MODEL, system_fingerprint: 'fp_bench', choices: [], usage: USAGE }));
  out.push('data: [DONE]\n\n');
  return out.map((s) => Buffer.from(s));
}

/** The slow scenario's chunk `i`: its content the send stamp `@<µs>@`, then the padding. @returns {string} */
export function slowEvent(i, stampUs, padding, last) {
  const delta = i === 0 ? { role: 'assistant', content: `@${stampUs}@ ${padding}` } : { content: `@${stampUs}@ ${padding}` };
  return event(chunk(delta, last ? 'stop' : null));
}

/** The usage chunk that ends every stream (`stream_options.include_usage`). @returns {string} */
export function usageEvent() {
  return event({ id: ID, object: 'chat.completion.chunk', created: CREATED, model: MODEL, system_fingerprint: 'fp_bench', choices: [], usage: USAGE });
}

/** What a complete stream ends with; the load generator checks it to count cut streams as errors. */
export const STREAM_TAIL = 'data: [DONE]\n\n';
