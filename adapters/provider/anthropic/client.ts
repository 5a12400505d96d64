// The client side of the Anthropic API: an Anthropic-speaking client's request → pivot, and the pivot response,
// stream and errors rendered as Messages API bytes.
import { headerValue, isPlainObject, type ClientCodec, type ClientRequestView, type JsonObject } from '../../../core/llm/index.js';
import { renderAnthropicError } from './errors.js';
import { anthropicRequestToChat } from './request-to-chat.js';
import { chatToAnthropicResponse } from './response.js';
import { createAnthropicEncoder } from './stream-encoder.js';

export const anthropicClient: ClientCodec = {
  chatOperations: ['messages'],
  idPrefixes: { response: 'msg_', toolCall: 'toolu_' },

  inspect(req: ClientRequestView) {
    const body = isPlainObject(req.body) ? req.body : {};
    return { model: typeof body.model === 'string' ? body.model : '', stream: body.stream === true, includeUsage: false };
  },

  credential(req: ClientRequestView) {
    const key = headerValue(req.headers, 'x-api-key');
    if (key !== undefined && key !== '') return key;
    const m = /^Bearer\s+(.+)$/i.exec(headerValue(req.headers, 'authorization')?.trim() ?? '');
    return m ? m[1] : undefined;
  },

  toChat: anthropicRequestToChat,
  fromChat: chatToAnthropicResponse,
  createEncoder: createAnthropicEncoder,
  streamContentType: () => 'text/event-stream; charset=utf-8',
  renderError: renderAnthropicError,

  setRequestModel(body: JsonObject, model: string) {
    body.model = model;
  },

  relabel(obj: JsonObject, model: string) {
    const target = obj.type === 'message_start' && isPlainObject(obj.message) ? obj.message : obj.type === 'message' ? obj : undefined;
    if (!target || typeof target.model !== 'string' || target.model === model) return false;
    target.model = model;
    return true;
  },
};
