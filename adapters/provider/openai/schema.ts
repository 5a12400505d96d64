// Config schema of dgp.adapter.provider.openai (and its settings overridable per endpoint in llm_meta.options).
import Type, { type Static } from 'typebox';

export const OpenAiConfigSchema = Type.Object(
  {
    base_path: Type.Optional(
      Type.String({
        pattern: '^(/[^/?#]+)*$',
        description:
          'Path prefix replacing the leading /v1 of OpenAI paths, e.g. "/openai/v1" (Groq) or "/api/v1" (OpenRouter). Unset: pass-through keeps the client path (Pixiu behaviour) and translated requests use /v1.',
      }),
    ),
    max_tokens_field: Type.Optional(
      Type.Union([Type.Literal('max_tokens'), Type.Literal('max_completion_tokens')], {
        default: 'max_tokens',
        description: 'Field that carries the output limit of a translated request (o-series and newer OpenAI models want max_completion_tokens).',
      }),
    ),
    responses_api: Type.Optional(
      Type.Union([Type.Literal('native'), Type.Literal('chat')], {
        default: 'native',
        description: 'OpenAI Responses API requests (/v1/responses): native passes them through (OpenAI, Azure); chat translates them to Chat Completions for servers without the Responses API (DeepSeek, most OpenAI-compatible servers).',
      }),
    ),
    response_model: Type.Optional(
      Type.Union([Type.Literal('requested'), Type.Literal('provider')], {
        default: 'requested',
        description: 'Model reported to the client: the one it asked for, or the provider model it was mapped to.',
      }),
    ),
  },
  { additionalProperties: false, description: 'dgp.adapter.provider.openai: OpenAI Chat Completions and every OpenAI-compatible server.' },
);

export type OpenAiConfig = Static<typeof OpenAiConfigSchema>;
