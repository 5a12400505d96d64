// The client side of the Gemini API: a Gemini-speaking client's request (model in the path, stream by method) →
// pivot, and the pivot response, stream (SSE or JSON array) and errors rendered as Gemini bytes.
import { headerValue, isPlainObject, type ClientCodec, type ClientRequestView } from '../../../core/llm/index.js';
import { geminiEmbedClient } from './embeddings.js';
import { renderGeminiError } from './errors.js';
import { geminiRequestToChat } from './request-to-chat.js';
import { chatToGeminiResponse } from './response.js';
import { createGeminiEncoder, wantsSse } from './stream-encoder.js';

/** `/v1beta/models/{model}:generateContent` → the model (a `models/` prefix is not part of the name). */
export function modelFromPath(path: string): string {
  const m = /\/models\/([^/:]+):/.exec(path);
  return m ? decodeURIComponent(m[1]!) : '';
}

export function keyFromQuery(query: string): string | undefined {
  const v = new URLSearchParams(query).get('key');
  return v === null || v === '' ? undefined : v;
}

export const geminiClient: ClientCodec = {
  chatOperations: ['generateContent', 'streamGenerateContent'],
  embeddings: geminiEmbedClient,

  inspect: (req: ClientRequestView) => ({ model: modelFromPath(req.path), stream: req.operation === 'streamGenerateContent', includeUsage: false }),

  credential(req: ClientRequestView) {
    const key = headerValue(req.headers, 'x-goog-api-key');
    return key !== undefined && key !== '' ? key : keyFromQuery(req.query);
  },

  toChat: geminiRequestToChat,
  fromChat: chatToGeminiResponse,
  createEncoder: createGeminiEncoder,
  streamContentType: (cx) => (wantsSse(cx.clientQuery) ? 'text/event-stream' : 'application/json; charset=UTF-8'),
  renderError: renderGeminiError,
  // The model is in the path; only batchEmbedContents names it again in each request (it must match the path).
  setRequestModel(body, model) {
    if (!Array.isArray(body.requests)) return;
    for (const r of body.requests) if (isPlainObject(r) && typeof r.model === 'string') r.model = `models/${model.replace(/^models\//, '')}`;
  },
};
