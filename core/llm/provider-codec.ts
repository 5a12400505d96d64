// What a provider plugin's `create` returns (ProviderCodec), and how an endpoint's `llm_meta` picks one: the plugin
// kind for `llm_meta.provider` (OpenAI-compatible labels fall to the openai codec) and the model after `model_map`.
import type { JsonObject, ProviderApi } from './api.js';
import type { ClientCodec } from './client-codec.js';
import type { UpstreamCodec } from './upstream-codec.js';

/** What a provider plugin's manifest `create(config)` returns. */
export interface ProviderCodec {
  /** The provider name, e.g. `anthropic` (the `<name>` of `dgp.adapter.provider.<name>`). */
  readonly name: string;
  /** The wire API the provider speaks (`azure-openai` speaks `openai`). */
  readonly api: ProviderApi;
  /** The plugin's validated config: the defaults of every setting. */
  readonly settings: Readonly<JsonObject>;
  readonly upstream: UpstreamCodec;
  /** Present when the codec also serves clients of its API. */
  readonly client?: ClientCodec;
  /**
   * A provider hosting models of several APIs (Vertex AI: Gemini and Anthropic models) returns the codec serving one
   * attempt, from the endpoint's settings and the upstream model; absent, this codec serves every attempt.
   */
  select?(settings: Readonly<JsonObject>, model: string): ProviderCodec;
}

/** `llm_meta.provider` labels of OpenAI-compatible servers (Pixiu treats the provider as a label): the openai codec. */
export const OPENAI_COMPATIBLE_PROVIDERS: readonly string[] = [
  'openai-compatible', 'deepseek', 'vllm', 'ollama', 'openrouter', 'aimlapi', 'groq', 'dashscope', 'qwen', 'together', 'fireworks', 'mistral', 'xai',
  'moonshot', 'zhipu', 'siliconflow', 'lmstudio', 'localai', 'sglang', 'tgi', 'perplexity', 'cerebras', 'nvidia',
];

/**
 * The plugin kind serving an endpoint's `llm_meta.provider`: its own `dgp.adapter.provider.<name>` when loaded, else
 * the openai codec (empty, a known OpenAI-compatible label, or unknown: `known: false` lets `dgp validate` warn).
 */
export function resolveProviderKind(provider: string | undefined, isLoaded: (kind: string) => boolean): { kind: string; known: boolean } {
  const name = (provider ?? '').trim().toLowerCase();
  const own = `dgp.adapter.provider.${name}`;
  if (name !== '' && isLoaded(own)) return { kind: own, known: true };
  const known = name === '' || OPENAI_COMPATIBLE_PROVIDERS.includes(name);
  return { kind: 'dgp.adapter.provider.openai', known };
}

/** `llm_meta.model_map`: the exact alias, else the `*` fallback, else the model unchanged. */
export function resolveModel(modelMap: unknown, model: string): string {
  if (typeof modelMap !== 'object' || modelMap === null) return model;
  const map = modelMap as Record<string, unknown>;
  const hit = Object.hasOwn(map, model) ? map[model] : map['*'];
  return typeof hit === 'string' && hit !== '' && hit !== '*' ? hit : model;
}
