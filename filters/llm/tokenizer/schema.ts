// Config schema of dgp.filter.llm.tokenizer: Pixiu's `log_to_console` plus usage injection, local estimation and the
// tokenizer choice per model. README.md documents every field.
import Type, { type Static } from 'typebox';

export const TIKTOKEN_NAMES = ['o200k_base', 'cl100k_base', 'p50k_base', 'p50k_edit', 'r50k_base', 'gpt2'] as const;

/** A tiktoken encoding name, or a path (ending in .json, relative to the config directory) to a tokenizer.json. */
const ENCODING_PATTERN = `^(${TIKTOKEN_NAMES.join('|')})$|\\.json$`;
const EncodingValue = Type.String({
  pattern: ENCODING_PATTERN,
  description: 'A tiktoken encoding (o200k_base, cl100k_base, ...) or the path of a Hugging Face tokenizer.json.',
});

export const TokenizerConfigSchema = Type.Object(
  {
    log_to_console: Type.Optional(
      Type.Boolean({ default: false, description: 'Pixiu: log each usage field at INFO as "[Tokenizer] [DOWNSTREAM] Usage | <key>: <value>".' }),
    ),
    inject_stream_usage: Type.Optional(
      Type.Boolean({
        default: true,
        description:
          'Add stream_options.include_usage: true to OpenAI-style streamed requests, and strip the extra usage chunk (and the usage:null fields) when the client did not ask for them.',
      }),
    ),
    estimate_missing_usage: Type.Optional(
      Type.Boolean({ default: true, description: 'When the upstream reports no usage, count prompt and completion tokens locally in the worker pool (source="estimated").' }),
    ),
    model_encodings: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), EncodingValue, {
        default: {},
        description: 'Model-name prefix (a trailing * is allowed) → encoding. The longest matching prefix wins; unlisted OpenAI models use the built-in map.',
      }),
    ),
    default_encoding: Type.Optional(
      Type.String({
        pattern: ENCODING_PATTERN,
        default: 'o200k_base',
        description: 'Encoding (tiktoken name or tokenizer.json path) for models that neither model_encodings nor the built-in OpenAI map know.',
      }),
    ),
    known_models: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description:
          'More model names kept as the metrics\' model label (e.g. the models a vLLM endpoint serves). Besides these, only the models the cluster\'s llm_meta names (model_map, options.model) and the price book knows keep a label; any other is "other".',
      }),
    ),
    pixiu_unit_metrics: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          "Also export Pixiu's pixiu_llm_total_duration_microseconds_sum_total and pixiu_llm_time_to_last_token_milliseconds_sum_total (non-base units, flagged by promtool check metrics) for a Pixiu dashboard that reads them.",
      }),
    ),
    max_event_bytes: Type.Optional(
      Type.Integer({
        minimum: 1024,
        default: 1048576,
        description: 'Most bytes of one SSE event (or of a non-SSE streamed body) held for parsing; bigger ones are passed through unparsed.',
      }),
    ),
  },
  { additionalProperties: false, description: 'dgp.filter.llm.tokenizer: token usage and latency accounting for LLM traffic.' },
);

export type TokenizerConfig = Static<typeof TokenizerConfigSchema>;

/** The config with every default applied (the host applies schema defaults before create; this is the fallback). */
export interface ResolvedTokenizerConfig {
  logToConsole: boolean;
  injectStreamUsage: boolean;
  estimateMissingUsage: boolean;
  /** Values resolved: .json paths made absolute. */
  modelEncodings: Readonly<Record<string, string>>;
  defaultEncoding: string;
  maxEventBytes: number;
  /** Model names kept as metric labels besides the configured and price-book ones. */
  knownModels: readonly string[];
}
