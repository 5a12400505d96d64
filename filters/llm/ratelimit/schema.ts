// Config schema of dgp.filter.llm.ratelimit: the rules (scope, model match, requests, tokens, concurrency), the store
// and what happens when it is unreachable, the token estimate, and the headers. README.md documents every field.
import Type, { type Static } from 'typebox';

const Count = (unit: string, max: number) =>
  Type.Optional(Type.Integer({ minimum: 1, maximum: max, description: `Most ${unit}; also the largest burst.` }));

export const RequestLimitsSchema = Type.Object(
  {
    per_second: Count('requests per second', 1e9),
    per_minute: Count('requests per minute', 1e9),
    per_hour: Count('requests per hour', 1e12),
    per_day: Count('requests per day', 1e12),
  },
  { additionalProperties: false, minProperties: 1, description: 'Request rates; each period given is a limit of its own.' },
);

export const TokenWeightsSchema = Type.Object(
  {
    input: Type.Number({ minimum: 0, default: 1, description: 'Weight of prompt tokens neither read from nor written to the provider cache.' }),
    cache_read: Type.Number({ minimum: 0, default: 1, description: 'Weight of prompt tokens read from the provider cache.' }),
    cache_write: Type.Number({ minimum: 0, default: 1, description: 'Weight of prompt tokens written to the provider cache.' }),
    output: Type.Number({ minimum: 0, default: 1, description: 'Weight of generated tokens (reasoning included).' }),
  },
  { additionalProperties: false, description: 'Weights per token kind: a request costs ceil(sum of weight x tokens).' },
);

export const TokenLimitsSchema = Type.Object(
  {
    per_minute: Count('tokens per minute', 1e12),
    per_hour: Count('tokens per hour', 1e13),
    per_day: Count('tokens per day', 1e14),
    count: Type.Union([Type.Literal('total'), Type.Literal('input'), Type.Literal('output'), TokenWeightsSchema], {
      default: 'total',
      description: 'What a request costs: total (input + output), input, output, or weights per token kind.',
    }),
  },
  // Absent stays absent: a rule without tokens must not get one from count's default.
  { additionalProperties: false, description: 'Token rates, reserved from an estimate before the call and reconciled with the final usage.', 'x-dgp-keep-absent': true },
);

/** `key` … `ip`, or `header:<name>` with an HTTP token as name. */
export const SCOPE_PATTERN = "^(key|team|user|end_user|model|route|ip|header:[!#$%&'*+.^_`|~0-9A-Za-z-]+)$";

export const RuleSchema = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_.:-]{1,64}$',
        description: 'Names the rule in metrics, logs and store keys. Rules with the same id share their counters. Default: scope, plus the match.',
      }),
    ),
    scope: Type.String({
      pattern: SCOPE_PATTERN,
      description: 'Who shares one counter: key, team, user, end_user (from dgp.filter.llm.keys), model, route, ip (the peer address) or header:<name>. A request without that value is not counted by the rule.',
    }),
    match: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
        description: 'Only requests for these models (exact names and * globs, e.g. "gpt-4o*") are counted by the rule.',
      }),
    ),
    requests: Type.Optional(RequestLimitsSchema),
    tokens: Type.Optional(TokenLimitsSchema),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, description: 'Most requests in flight at once; a slot is held until the response has ended.' })),
  },
  { additionalProperties: false, description: 'One rule: any of requests, tokens and concurrency for one scope.' },
);

export const RateLimitConfigSchema = Type.Object(
  {
    store: Type.Optional(
      Type.String({ minLength: 1, description: 'Id of a store adapter under static_resources.adapters (dgp.adapter.store.memory or .redis). Absent: the default memory store.' }),
    ),
    on_store_error: Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('local')], {
      default: 'local',
      description: 'Store unreachable: open admits unlimited, closed answers 503, local limits in this process with every limit divided by expected_instances.',
    }),
    expected_instances: Type.Integer({ minimum: 1, default: 1, description: 'Gateway processes sharing the store (instances x workers), for on_store_error: local.' }),
    hash_tag: Type.String({
      pattern: '^[^{}]{1,64}$',
      default: 'dgp-rl',
      description: 'Redis Cluster hash tag in every key ({hash_tag}), so one admission script sees all its keys in one slot.',
    }),
    key_limits: Type.Boolean({ default: true, description: "Also enforce the key's own rpm, tpm and max_parallel_requests (dgp.filter.llm.keys)." }),
    rules: Type.Array(RuleSchema, { default: [], description: 'The rules; a request is admitted only when every rule that counts it has room.' }),
    default_output_tokens: Type.Integer({ minimum: 0, default: 1024, description: 'Output tokens reserved for a request that sets no max_tokens.' }),
    tokenize_above_bytes: Type.Integer({
      minimum: 0,
      default: 4096,
      description: 'Prompts of this many bytes or more are counted by the tokenizer in the worker pool; smaller ones are estimated as bytes / 4.',
    }),
    lease_ms: Type.Integer({ minimum: 1000, default: 600_000, description: 'Longest a concurrency slot is held without being released (a crashed process frees its slots after it), ms.' }),
    concurrency_retry_after_ms: Type.Integer({ minimum: 0, default: 1000, description: 'retry-after for a request refused by a concurrency limit, ms.' }),
    response_headers: Type.Boolean({
      default: true,
      description: 'Describe the binding rule in x-ratelimit-* (OpenAI routes) and anthropic-ratelimit-* (/v1/messages) headers, on answers and refusals.',
    }),
    upstream_ratelimit_headers: Type.Union([Type.Literal('drop'), Type.Literal('pass'), Type.Literal('rename')], {
      default: 'drop',
      description: "The upstream's own x-ratelimit-* / anthropic-ratelimit-* headers (the operator's account): drop, pass unchanged, or rename to x-dgp-upstream-<name>.",
    }),
  },
  { additionalProperties: false, description: 'dgp.filter.llm.ratelimit: request, token and concurrency limits per key, team, model, route, ip or header.' },
);

export type RateLimitConfig = Static<typeof RateLimitConfigSchema>;
export type RuleConfig = Static<typeof RuleSchema>;
export type TokenCount = Static<typeof TokenLimitsSchema>['count'];
