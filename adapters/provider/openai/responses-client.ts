// The client side of OpenAI's Responses API (`POST /v1/responses`): an operation codec of the OpenAI client. Same-API
// upstreams get the body as sent (model mapped, options merged); other APIs get it through the Chat pivot.
import { isPlainObject, type ClientCodec, type ClientRequestView, type JsonObject } from '../../../core/llm/index.js';
import { renderOpenAiError } from './errors.js';
import { responsesRequestToChat } from './responses-request.js';
import { chatToResponses } from './responses-response.js';
import { createResponsesEncoder } from './responses-stream.js';

export function createResponsesClient(credential: ClientCodec['credential']): ClientCodec {
  return {
    chatOperations: ['responses'],
    // Function-call items' call_id; the response and item ids are the codec's own (resp_, msg_, fc_).
    idPrefixes: { toolCall: 'call_' },
    inspect(req: ClientRequestView) {
      const body = isPlainObject(req.body) ? req.body : {};
      // response.completed always carries usage.
      return { model: typeof body.model === 'string' ? body.model : '', stream: body.stream === true, includeUsage: true };
    },
    credential,
    toChat: responsesRequestToChat,
    fromChat: chatToResponses,
    createEncoder: createResponsesEncoder,
    streamContentType: () => 'text/event-stream; charset=utf-8',
    renderError: renderOpenAiError,
    setRequestModel(body: JsonObject, model: string) {
      body.model = model;
    },
    relabel(obj: JsonObject, model: string) {
      const target = obj.object === 'response' ? obj : isPlainObject(obj.response) ? obj.response : undefined;
      if (!target || typeof target.model !== 'string' || target.model === model) return false;
      target.model = model;
      return true;
    },
  };
}
