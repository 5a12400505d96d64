// Config schema of dgp.adapter.provider.anthropic; every field can also be set per endpoint in llm_meta.options.
import Type, { type Static } from 'typebox';

export const AnthropicConfigSchema = Type.Object(
  {
    anthropic_version: Type.Optional(
      Type.String({ minLength: 1, default: '2023-06-01', description: 'anthropic-version header sent upstream (a pass-through keeps the client\'s own).' }),
    ),
    anthropic_beta: Type.Optional(
      Type.String({ minLength: 1, description: 'anthropic-beta header value to add, e.g. "prompt-caching-2024-07-31" (comma-separated list).' }),
    ),
    default_max_tokens: Type.Optional(
      Type.Integer({ minimum: 1, default: 4096, description: 'max_tokens sent when a translated request sets no output limit (Anthropic requires one).' }),
    ),
    base_path: Type.Optional(
      Type.String({
        pattern: '^(/[^/?#]+)*$',
        description: 'Path prefix replacing the leading /v1, for Anthropic-compatible servers (e.g. "/anthropic/v1"). Unset: /v1.',
      }),
    ),
    response_model: Type.Optional(
      Type.Union([Type.Literal('requested'), Type.Literal('provider')], {
        default: 'requested',
        description: 'Model reported to the client: the one it asked for, or the provider model it was mapped to.',
      }),
    ),
  },
  { additionalProperties: false, description: 'dgp.adapter.provider.anthropic: the Anthropic Messages API.' },
);

export type AnthropicConfig = Static<typeof AnthropicConfigSchema>;
