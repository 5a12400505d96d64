// Config schema of dgp.adapter.provider.gemini; every field can also be set per endpoint in llm_meta.options.
import Type, { type Static } from 'typebox';

export const GeminiConfigSchema = Type.Object(
  {
    api_version: Type.Optional(
      Type.String({ pattern: '^v[0-9a-z]+$', default: 'v1beta', description: 'API version path segment of translated requests: /<api_version>/models/<model>:generateContent.' }),
    ),
    json_schema_mode: Type.Optional(
      Type.Union([Type.Literal('native'), Type.Literal('openapi')], {
        default: 'native',
        description:
          'How JSON Schemas of tools and response_format are sent: native uses parametersJsonSchema / responseJsonSchema (full JSON Schema); openapi converts to the OpenAPI subset of parameters / responseSchema (older API versions).',
      }),
    ),
    thought_signature_fallback: Type.Optional(
      Type.String({
        default: 'skip_thought_signature_validator',
        description:
          'thoughtSignature sent on a replayed function call that carries none (history from another provider); Gemini 3 rejects such calls otherwise. "" sends none.',
      }),
    ),
    response_model: Type.Optional(
      Type.Union([Type.Literal('requested'), Type.Literal('provider')], {
        default: 'requested',
        description: 'Model reported to the client: the one it asked for, or the provider model it was mapped to.',
      }),
    ),
  },
  { additionalProperties: false, description: 'dgp.adapter.provider.gemini: the Gemini API generateContent / streamGenerateContent.' },
);

export type GeminiConfig = Static<typeof GeminiConfigSchema>;
