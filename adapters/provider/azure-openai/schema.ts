// Config schema of dgp.adapter.provider.azure-openai; every field can also be set per endpoint in llm_meta.options.
import Type, { type Static } from 'typebox';

export const AzureOpenAiConfigSchema = Type.Object(
  {
    api_version: Type.Optional(
      Type.String({
        minLength: 1,
        default: '2024-10-21',
        description: 'The api-version query parameter, e.g. "2024-10-21"; "v1" uses the versionless /openai/v1/ API (model in the body, no deployment path).',
      }),
    ),
    deployment: Type.Optional(
      Type.String({ minLength: 1, description: 'Deployment name in /openai/deployments/<deployment>/…; unset: the (mapped) model name.' }),
    ),
    max_tokens_field: Type.Optional(
      Type.Union([Type.Literal('max_tokens'), Type.Literal('max_completion_tokens')], {
        default: 'max_tokens',
        description: 'Field that carries the output limit of a translated request (o-series deployments want max_completion_tokens).',
      }),
    ),
    responses_api: Type.Optional(
      Type.Union([Type.Literal('native'), Type.Literal('chat')], {
        default: 'native',
        description: 'OpenAI Responses API requests (/v1/responses): native passes them through to /openai/responses; chat translates them to Chat Completions (deployments without the Responses API).',
      }),
    ),
    response_model: Type.Optional(
      Type.Union([Type.Literal('requested'), Type.Literal('provider')], {
        default: 'requested',
        description: 'Model reported to the client: the one it asked for, or the provider model it was mapped to.',
      }),
    ),
  },
  { additionalProperties: false, description: 'dgp.adapter.provider.azure-openai: Azure OpenAI deployments (api-key header, api-version).' },
);

export type AzureOpenAiConfig = Static<typeof AzureOpenAiConfigSchema>;
