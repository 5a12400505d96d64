// Config schema of dgp.adapter.provider.vertex-ai; every field can also be set per endpoint in llm_meta.options.
import Type, { type Static } from 'typebox';

export const VertexAiConfigSchema = Type.Object(
  {
    project_id: Type.Optional(
      Type.String({ minLength: 1, description: 'Google Cloud project of the models. Unset: the service account\'s own project_id.', examples: ['my-project'] }),
    ),
    location: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9-]+$',
        default: 'us-central1',
        description: 'Vertex AI location (region), e.g. "us-east5", or "global". It names the default host ({location}-aiplatform.googleapis.com; aiplatform.googleapis.com for global) and the path.',
      }),
    ),
    publisher: Type.Optional(
      Type.Union([Type.Literal('auto'), Type.Literal('google'), Type.Literal('anthropic')], {
        default: 'auto',
        description: 'Model publisher: google (Gemini, generateContent) or anthropic (Claude, rawPredict); auto picks anthropic for models named claude-*.',
      }),
    ),
    service_account_json: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Record(Type.String(), Type.Unknown())], {
        description: 'The service-account key (JSON text or object) whose access tokens authorise requests. Prefer ${ENV} expansion or service_account_file.',
      }),
    ),
    service_account_file: Type.Optional(
      Type.String({ minLength: 1, description: 'Path of the service-account key file (relative to the config folder). Unset, and no JSON: $GOOGLE_APPLICATION_CREDENTIALS.' }),
    ),
    anthropic_version: Type.Optional(
      Type.String({ minLength: 1, default: 'vertex-2023-10-16', description: 'anthropic_version sent in the body of Claude requests (Vertex takes it there, not as a header).' }),
    ),
    default_max_tokens: Type.Optional(
      Type.Integer({ minimum: 1, default: 4096, description: 'max_tokens of a translated Claude request that sets no output limit (Anthropic requires one).' }),
    ),
    json_schema_mode: Type.Optional(
      Type.Union([Type.Literal('native'), Type.Literal('openapi')], {
        default: 'native',
        description: 'Gemini models: JSON Schemas sent as parametersJsonSchema / responseJsonSchema (native) or converted to the OpenAPI subset (openapi).',
      }),
    ),
    thought_signature_fallback: Type.Optional(
      Type.String({ default: 'skip_thought_signature_validator', description: 'Gemini models: thoughtSignature sent on a replayed function call that carries none. "" sends none.' }),
    ),
    response_model: Type.Optional(
      Type.Union([Type.Literal('requested'), Type.Literal('provider')], {
        default: 'requested',
        description: 'Model reported to the client: the one it asked for, or the provider model it was mapped to.',
      }),
    ),
  },
  { additionalProperties: false, description: 'dgp.adapter.provider.vertex-ai: Gemini and Claude models on Google Cloud Vertex AI, authorised by a service account (OAuth2 JWT bearer flow).' },
);

export type VertexAiConfig = Static<typeof VertexAiConfigSchema>;

/** Settings an endpoint may override in llm_meta.options. */
export const VERTEX_SETTING_KEYS = [
  'project_id', 'location', 'publisher', 'service_account_json', 'service_account_file', 'anthropic_version', 'default_max_tokens', 'json_schema_mode', 'thought_signature_fallback',
] as const;
