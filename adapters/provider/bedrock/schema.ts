// Config schema of dgp.adapter.provider.bedrock; every field can also be set per endpoint in llm_meta.options.
// Credentials left unset come from the standard AWS environment variables when a request is signed.
import Type, { type Static } from 'typebox';

export const BedrockConfigSchema = Type.Object(
  {
    region: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9-]+$',
        description: 'AWS region of the signature (e.g. "us-east-1"). Unset: AWS_REGION, then AWS_DEFAULT_REGION, then the region in a bedrock-runtime.<region>.amazonaws.com endpoint host.',
      }),
    ),
    access_key_id: Type.Optional(Type.String({ minLength: 1, description: 'AWS access key id. Unset: AWS_ACCESS_KEY_ID (with the secret and token from the environment too).' })),
    secret_access_key: Type.Optional(Type.String({ minLength: 1, description: 'AWS secret access key (use ${ENV} substitution; never logged). Unset: AWS_SECRET_ACCESS_KEY.' })),
    session_token: Type.Optional(Type.String({ minLength: 1, description: 'Session token of temporary credentials, sent as x-amz-security-token. Unset: AWS_SESSION_TOKEN when the keys come from the environment.' })),
    bearer_token: Type.Optional(
      Type.String({ minLength: 1, description: 'A Bedrock API key, sent as Authorization: Bearer instead of a SigV4 signature when no access keys are configured. Unset: AWS_BEARER_TOKEN_BEDROCK.' }),
    ),
    signing_name: Type.Optional(Type.String({ minLength: 1, default: 'bedrock', description: 'The service name in the SigV4 credential scope.' })),
    response_model: Type.Optional(
      Type.Union([Type.Literal('requested'), Type.Literal('provider')], {
        default: 'requested',
        description: 'Model reported to the client: the one it asked for, or the Bedrock model id it was mapped to.',
      }),
    ),
  },
  { additionalProperties: false, description: 'dgp.adapter.provider.bedrock: the Amazon Bedrock Converse API with SigV4 signing.' },
);

export type BedrockConfig = Static<typeof BedrockConfigSchema>;
