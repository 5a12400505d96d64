// The request bodies every target receives: one small chat request, unary or streamed. The stream asks for usage
// itself (`stream_options.include_usage`) so that every target passes the same bytes through unchanged.

const messages = [
  { role: 'system', content: 'You are a terse assistant.' },
  { role: 'user', content: 'Say hello to the benchmark in twenty tokens.' },
];

export const UNARY_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages });
export const STREAM_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });

/** The end of a complete stream; a stream that ends otherwise counts as an error. */
export const STREAM_TAIL = 'data: [DONE]\n\n';

export const JSON_HEADERS = { 'content-type': 'application/json', authorization: 'Bearer sk-bench-dummy' } as const;
