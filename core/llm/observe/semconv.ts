// The OpenTelemetry GenAI semantic-convention names dgp emits (status Development, as in
// @opentelemetry/semantic-conventions 1.45 `/incubating`). Copied, as OpenTelemetry advises for incubating names,
// so a package update cannot rename what dashboards read.
import type { ProviderOperation } from '../api.js';

export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const SERVER_ADDRESS = 'server.address';
export const SERVER_PORT = 'server.port';

/** gen_ai.operation.name of a client operation: Anthropic Messages and Gemini generateContent are chats too. */
export function genAiOperation(op: ProviderOperation | undefined): string {
  switch (op) {
    case 'completions':
      return 'text_completion';
    case 'embeddings':
    case 'embedContent':
    case 'batchEmbedContents':
      return 'embeddings';
    case 'generateContent':
    case 'streamGenerateContent':
      return 'generate_content';
    case undefined:
    case 'models':
      return 'chat';
    default:
      return 'chat';
  }
}

/** gen_ai.provider.name of a provider codec name (llm_meta.provider). */
export function genAiProvider(provider: string | undefined): string {
  switch (provider) {
    case undefined:
    case '':
      return 'unknown';
    case 'gemini':
      return 'gcp.gemini';
    case 'vertex':
    case 'vertex_ai':
      return 'gcp.vertex_ai';
    case 'azure':
    case 'azure-openai':
    case 'azure_openai':
      return 'azure.ai.openai';
    case 'bedrock':
      return 'aws.bedrock';
    default:
      return provider;
  }
}
