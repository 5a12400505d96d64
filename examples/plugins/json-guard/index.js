// Reads the request's JSON body and rejects, with a coded error in the error shape of the API the client speaks
// (OpenAI, Anthropic or Gemini), any request that asks for more output tokens than the configured ceiling.
import { API_VERSION, defineErrorCode } from 'dgp-gateway';
import { renderLlmLocalReply } from 'dgp-gateway/llm';

// A plugin's own error code: registered once, at import; its status travels with it.
const TooManyTokens = defineErrorCode('EXAMPLE_ERR_MAX_TOKENS', 400, {
  summary: 'The request asks for more output tokens than this route allows.',
  fix: 'Lower max_tokens (max_output_tokens, generationConfig.maxOutputTokens).',
});

/** The output-token ceiling a request asks for, in any of the three client APIs. */
function requestedTokens(body) {
  return body?.max_completion_tokens ?? body?.max_tokens ?? body?.max_output_tokens ?? body?.generationConfig?.maxOutputTokens;
}

export default {
  kind: 'example.json-guard',
  apiVersion: API_VERSION,
  description: 'Rejects requests whose max_tokens exceeds a ceiling, in the client API\'s error shape (example plugin).',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['max_tokens'],
    properties: {
      max_tokens: { type: 'integer', minimum: 1, description: 'Largest output-token count a request may ask for.' },
    },
  },
  create(config) {
    return {
      // Only a request with a body is read; json() parses once and caches for every other filter.
      async decode(ctx) {
        if (ctx.request.method !== 'POST') return 'continue';
        let body;
        try {
          body = await ctx.request.json();
        } catch {
          return 'continue'; // not JSON: the proxy answers that in the client's shape
        }
        const asked = requestedTokens(body);
        if (typeof asked === 'number' && asked > config.max_tokens) {
          return ctx.replyError(TooManyTokens(`max_tokens ${asked} is above this route's ceiling of ${config.max_tokens}`));
        }
        return 'continue';
      },
      // Local replies on this listener are rendered in the API the client speaks (as dgp.filter.llm.proxy does).
      renderLocalReply: renderLlmLocalReply,
    };
  },
};
