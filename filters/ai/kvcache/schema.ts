// Config schema of dgp.filter.ai.kvcache: every Pixiu field (spec §2.6) with Pixiu's defaults, plus our additions
// (mode, tokenize, evict_api, instance_map, prefix, local encodings, background cap). docs/kvcache.md documents each.
import Type, { type Static } from 'typebox';

// Go durations ("1m30s", "0.5s") or "0". `LaxDuration` also takes a negative value, which Pixiu replaces by the
// default (its ApplyDefaults runs before Validate); `Duration` rejects it where Pixiu's Validate does.
const GO_DURATION = '(0|([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h)(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h))*)';
const durationText = (d: string) => `${d} A Go-style duration ("50ms", "2s", "5m") or a number of milliseconds.`;
const Duration = (description: string, def: string) =>
  Type.Union([Type.String({ pattern: `^${GO_DURATION}$` }), Type.Number({ minimum: 0 })], { description: durationText(description), default: def });
const LaxDuration = (description: string, def: string) =>
  Type.Union([Type.String({ pattern: `^-?${GO_DURATION}$` }), Type.Number()], { description: durationText(description), default: def });

const Url = (description: string) => Type.String({ pattern: '^\\s*https?://\\S+\\s*$', description });
const Ratio = (description: string) => Type.Number({ minimum: 0, maximum: 1, default: 0, description });
const ENCODING_PATTERN = '^(o200k_base|cl100k_base|p50k_base|p50k_edit|r50k_base|gpt2)$|\\.json$';
const EncodingValue = Type.String({
  pattern: ENCODING_PATTERN,
  description: 'A tiktoken encoding (o200k_base, cl100k_base, ...) or the path of a Hugging Face tokenizer.json (relative to the config directory).',
});

const TokenCache = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ default: false, description: 'Keep token ids per (model, prompt). Without it tokenize: vllm never routes (Pixiu).' })),
    max_size: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Most entries; the least recently used goes first. 0 = unbounded. Pixiu Validate: must be >= 0.' })),
    ttl: Type.Optional(LaxDuration('How long an entry lives; 0 = never expires.', '0')),
  },
  { additionalProperties: false, default: {}, description: 'The token cache (a real LRU with TTL).' },
);

const CacheStrategy = Type.Object(
  {
    enable_compression: Type.Optional(Type.Boolean({ default: false, description: 'POST /compress when the gateway CPU load reaches load_threshold.' })),
    enable_pinning: Type.Optional(Type.Boolean({ default: false, description: 'POST /pin when a prompt is hot (hot_content_threshold requests within hot_window).' })),
    enable_eviction: Type.Optional(Type.Boolean({ default: false, description: 'POST /evict (or /clear, see evict_api) when gateway memory use reaches memory_threshold.' })),
    memory_threshold: Type.Optional(Ratio('Heap-in-use / resident-memory ratio of the gateway process that triggers eviction; in [0,1], 0 = never.')),
    load_threshold: Type.Optional(Ratio('CPU load of the gateway process (0..1 over all cores) that triggers compression; in [0,1], 0 = never.')),
    hot_content_threshold: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Requests within hot_window that make a prompt hot; 0 = never pin.' })),
    pin_instance_id: Type.Optional(Type.String({ default: '', description: 'instance_id sent to /pin.' })),
    pin_location: Type.Optional(Type.String({ default: '', description: 'location sent to /pin (e.g. LocalCPUBackend).' })),
    compress_instance_id: Type.Optional(Type.String({ default: '', description: 'instance_id sent to /compress.' })),
    compress_location: Type.Optional(Type.String({ default: '', description: 'location sent to /compress.' })),
    compress_method: Type.Optional(Type.String({ default: 'zstd', description: 'method sent to /compress; empty = zstd.' })),
    evict_instance_id: Type.Optional(Type.String({ default: '', description: 'instance_id sent to /evict or /clear.' })),
    evict_location: Type.Optional(Type.String({ default: 'LocalCPUBackend', description: 'location sent to /clear (evict_api: clear only).' })),
  },
  { additionalProperties: false, default: {}, description: 'Background LMCache actions (never on the request path).' },
);

const CircuitBreaker = Type.Object(
  {
    failure_threshold: Type.Optional(Type.Integer({ default: 5, description: 'Consecutive failures that open the breaker; <= 0 = 5.' })),
    recovery_timeout: Type.Optional(LaxDuration('Time the breaker stays open before one probe call; <= 0 = 10s.', '10s')),
    half_open_max_calls: Type.Optional(Type.Integer({ default: 2, description: 'Extra calls allowed while half-open; <= 0 = 2.' })),
  },
  { additionalProperties: false, default: {}, description: 'Circuit breakers (one for vLLM /tokenize, one for LMCache), Pixiu semantics.' },
);

const Retry = Type.Object(
  {
    max_attempts: Type.Optional(Type.Integer({ minimum: 0, default: 3, description: 'LMCache attempts per call; 0 = 3. Pixiu Validate: must be >= 0.' })),
    base_backoff: Type.Optional(Duration('Wait before attempt n+1 is min(base_backoff * 2^n, max_backoff); 0 = 100ms.', '100ms')),
    max_backoff: Type.Optional(Duration('Longest wait between attempts; 0 = 2s.', '2s')),
  },
  { additionalProperties: false, default: {}, description: 'Retries of LMCache calls (vLLM /tokenize is never retried, as in Pixiu).' },
);

const Prefix = Type.Object(
  {
    block_size: Type.Optional(Type.Integer({ minimum: 1, default: 64, description: 'Tokens per hashed block; prompts shorter than one block are not routed.' })),
    max_blocks: Type.Optional(Type.Integer({ minimum: 1, default: 64, description: 'Most leading blocks hashed per request (bounds the work on long prompts).' })),
    load_factor: Type.Optional(
      Type.Number({ minimum: 0, default: 0.25, description: 'No endpoint takes more than (1 + load_factor) x the average in-flight requests of the cluster.' }),
    ),
    max_entries: Type.Optional(Type.Integer({ minimum: 1, default: 50000, description: 'Block hashes remembered (LRU) with the endpoint that last served them.' })),
    ttl: Type.Optional(Duration('How long a remembered block hash stays valid; 0 = until pushed out by max_entries.', '10m')),
  },
  { additionalProperties: false, default: {}, description: 'mode: prefix — prefix affinity by consistent hashing with bounded load.' },
);

const offWhen = [{ properties: { enabled: { const: false } } }, { properties: { mode: { const: 'prefix' } } }];

export const KvcacheConfigSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ default: false, description: 'When false the filter passes every request through untouched (Pixiu).' })),
    mode: Type.Optional(
      Type.Union([Type.Literal('lmcache'), Type.Literal('prefix')], {
        default: 'lmcache',
        description: 'lmcache: ask the LMCache controller which instance holds the prompt (Pixiu). prefix: prefix affinity without LMCache.',
      }),
    ),
    tokenize: Type.Optional(
      Type.Union([Type.Literal('vllm'), Type.Literal('local')], {
        default: 'vllm',
        description: 'vllm: tokens from vLLM POST /tokenize in the background (Pixiu: the first request for a prompt never routes). local: worker-pool tokenizer on the request path.',
      }),
    ),
    vllm_endpoint: Type.Optional(Url('Base URL of a vLLM server for POST /tokenize. Required when enabled with mode: lmcache and tokenize: vllm.')),
    lmcache_endpoint: Type.Optional(Url('Base URL of the LMCache controller. Required when enabled with mode: lmcache.')),
    default_model: Type.Optional(Type.String({ default: '', description: 'Model used when the request body names none.' })),
    request_timeout: Type.Optional(LaxDuration('Bound of every background vLLM / LMCache call and of the whole background task; <= 0 = 2s.', '2s')),
    lookup_routing_timeout: Type.Optional(
      LaxDuration('Most latency the routing step adds to a request (tokenize local + lookup with retries); then normal load balancing. <= 0 = 50ms.', '50ms'),
    ),
    hot_window: Type.Optional(Duration('Window of the hot-content counter; 0 = 5m. Pixiu Validate: must be >= 0.', '5m')),
    hot_max_records: Type.Optional(Type.Integer({ minimum: 0, default: 300, description: 'Timestamps kept per prompt in the hot window; 0 = 300.' })),
    hot_max_keys: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Most prompts tracked for hotness (expired, then least recently seen go first); 0 = unbounded.' })),
    max_idle_conns: Type.Optional(Type.Integer({ default: 0, description: 'Pixiu compatibility; accepted and ignored (idle sockets close after 4s).' })),
    max_idle_conns_per_host: Type.Optional(Type.Integer({ default: 0, description: 'Pixiu compatibility; accepted and ignored.' })),
    max_conns_per_host: Type.Optional(Type.Integer({ default: 0, description: 'Most sockets to vLLM and to LMCache each; <= 0 = unlimited.' })),
    token_cache: Type.Optional(TokenCache),
    cache_strategy: Type.Optional(CacheStrategy),
    circuit_breaker: Type.Optional(CircuitBreaker),
    retry: Type.Optional(Retry),
    evict_api: Type.Optional(
      Type.Union([Type.Literal('evict'), Type.Literal('clear')], {
        default: 'evict',
        description: 'evict: POST /evict {tokens, instance_id} (Pixiu). clear: POST /clear {instance_id, location}, the endpoint LMCache controllers actually serve.',
      }),
    ),
    instance_map: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }), {
        default: {},
        description: 'LMCache instance_id -> endpoint id, when they differ. Unlisted ids are used as endpoint ids (Pixiu contract).',
      }),
    ),
    model_encodings: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), EncodingValue, {
        default: {},
        description: 'tokenize: local and mode: prefix — model-name prefix (a trailing * is allowed) -> encoding; the longest prefix wins.',
      }),
    ),
    default_encoding: Type.Optional(
      Type.String({ pattern: ENCODING_PATTERN, default: 'o200k_base', description: 'Encoding for models model_encodings and the built-in OpenAI map do not know.' }),
    ),
    prefix: Type.Optional(Prefix),
    max_background_tasks: Type.Optional(
      Type.Integer({ minimum: 1, default: 64, description: 'Background tasks (tokenize, compress, pin, evict) running at once; more are skipped and counted.' }),
    ),
  },
  {
    additionalProperties: false,
    description: 'dgp.filter.ai.kvcache: KV-cache-aware routing (LMCache lookup or prefix affinity) and background cache management.',
    // Pixiu Validate: the endpoints are required only when enabled. Two anyOf groups (not if/then) so that a missing
    // field is reported at its own pointer with "missing required field".
    allOf: [
      { anyOf: [{ required: ['lmcache_endpoint'] }, ...offWhen] },
      { anyOf: [{ required: ['vllm_endpoint'] }, ...offWhen, { properties: { tokenize: { const: 'local' } } }] },
    ],
  },
);

export type KvcacheConfig = Static<typeof KvcacheConfigSchema>;
