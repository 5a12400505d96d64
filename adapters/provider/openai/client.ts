// The client side of the OpenAI API: what an OpenAI-speaking client sent (the pivot itself, checked and copied),
// and the pivot response / stream / errors rendered for it.
import { badClientRequest, headerValue, isPlainObject, type ChatCompletion, type ChatRequest, type ClientCodec, type ClientRequestView, type CodecContext, type JsonObject } from '../../../core/llm/index.js';
import { openAiEmbedClient } from './embeddings.js';
import { renderOpenAiError } from './errors.js';
import { createResponsesClient } from './responses-client.js';
import { createOpenAiEncoder } from './stream.js';
import { requestStreamUsage, unrequestStreamUsage } from './stream-usage.js';

/** The OpenAI request → pivot: a checked copy; the legacy functions API is refused (tools replaced it). */
export function openAiRequestToChat(body: unknown): ChatRequest {
  if (!isPlainObject(body)) throw badClientRequest('body', 'must be a JSON object');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw badClientRequest('messages', 'must be a non-empty array');
  body.messages.forEach((m, i) => {
    if (!isPlainObject(m) || typeof m.role !== 'string') throw badClientRequest(`messages[${i}]`, 'must be an object with a role');
  });
  if (body.functions !== undefined || body.function_call !== undefined) {
    throw badClientRequest('functions', 'the legacy functions/function_call fields are not translated; send tools and tool_choice');
  }
  return structuredClone(body) as ChatRequest;
}

function openAiCredential(req: ClientRequestView): string | undefined {
  const auth = headerValue(req.headers, 'authorization');
  const m = auth === undefined ? null : /^Bearer\s+(.+)$/i.exec(auth.trim());
  return m ? m[1] : headerValue(req.headers, 'api-key');
}

export const openAiClient: ClientCodec = {
  chatOperations: ['chat'],
  embeddings: openAiEmbedClient,
  idPrefixes: { response: 'chatcmpl-', toolCall: 'call_' },
  operationCodecs: { responses: createResponsesClient(openAiCredential) },

  inspect(req: ClientRequestView) {
    const body = isPlainObject(req.body) ? req.body : {};
    const opts = isPlainObject(body.stream_options) ? body.stream_options : {};
    return {
      model: typeof body.model === 'string' ? body.model : '',
      stream: body.stream === true,
      includeUsage: opts.include_usage === true,
    };
  },

  credential: openAiCredential,

  toChat: (body: unknown) => openAiRequestToChat(body),

  fromChat(res: ChatCompletion, cx: CodecContext): JsonObject {
    return { ...res, model: cx.models.reported };
  },

  createEncoder: createOpenAiEncoder,
  streamContentType: () => 'text/event-stream',
  renderError: renderOpenAiError,

  setRequestModel(body: JsonObject, model: string) {
    body.model = model;
  },

  relabel(obj: JsonObject, model: string) {
    if (typeof obj.model !== 'string' || obj.model === model) return false;
    obj.model = model;
    return true;
  },

  requestStreamUsage,
  unrequestStreamUsage,
};
