// The provider side of the OpenAI wire format, shared with azure-openai (which differs only in path and auth):
// pivot → request body, response → pivot (a checked copy), and the stream decoder.
import { badProviderResponse, isPlainObject, type ChatCompletion, type ChatRequest, type CodecContext, type JsonObject, type ProviderOperation, type UpstreamCodec, type UpstreamTarget } from '../../../core/llm/index.js';
import { openAiEmbedUpstream } from './embeddings.js';
import { parseOpenAiError } from './errors.js';
import { createOpenAiDecoder } from './stream.js';
import { fitToolIds } from './tool-ids.js';

/** Path of an OpenAI operation below the API root (`/v1`). */
export const OPENAI_OPERATION_PATHS: Partial<Record<ProviderOperation, string>> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
  models: '/models',
  responses: '/responses',
};

export function chatToOpenAiBody(req: ChatRequest, cx: CodecContext): JsonObject {
  const body: JsonObject = { ...req };
  body.messages = fitToolIds(req.messages) ?? req.messages;
  if (body.top_k !== undefined) {
    cx.log.debug({ field: 'top_k', provider: cx.provider }, 'dropped a field the OpenAI API does not accept');
    delete body.top_k;
  }
  const limit = body.max_completion_tokens ?? body.max_tokens;
  delete body.max_tokens;
  delete body.max_completion_tokens;
  if (limit !== undefined) body[cx.settings.max_tokens_field === 'max_completion_tokens' ? 'max_completion_tokens' : 'max_tokens'] = limit;
  // Usage is only sent on streams that ask for it; a translated response needs it (Anthropic's message_delta).
  if (body.stream === true) body.stream_options = { ...(isPlainObject(body.stream_options) ? body.stream_options : {}), include_usage: true };
  return body;
}

export function openAiBodyToChat(body: unknown, cx: CodecContext): ChatCompletion {
  if (!isPlainObject(body) || !Array.isArray(body.choices)) throw badProviderResponse(cx.provider, 'no choices array');
  return body as unknown as ChatCompletion;
}

export function createOpenAiUpstream(opts: {
  settingKeys: readonly string[];
  target: (t: UpstreamTarget) => { path: string; headers: Record<string, string> };
}): UpstreamCodec {
  return {
    settingKeys: opts.settingKeys,
    chatOperation: () => 'chat',
    target: opts.target,
    fromChat: chatToOpenAiBody,
    toChat: openAiBodyToChat,
    createDecoder: createOpenAiDecoder,
    parseError: parseOpenAiError,
    embeddings: openAiEmbedUpstream,
    adjustPassthrough(body: JsonObject) {
      const messages = fitToolIds(body.messages);
      return messages ? { ...body, messages } : undefined;
    },
  };
}
