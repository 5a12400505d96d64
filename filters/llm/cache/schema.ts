// Config schema of dgp.filter.llm.cache: where entries live, how long, who shares them, which answers are stored,
// what clients may ask for, coalescing and the semantic layer. README.md documents every field.
import Type, { type Static } from 'typebox';

// Go durations ("90s", "1h"); converted by parseDuration in create().
const GO_DURATION = '^(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h))+$';
const Duration = (description: string, def: string) =>
  Type.Union([Type.String({ pattern: GO_DURATION }), Type.Number({ exclusiveMinimum: 0 })], {
    description: `${description} A Go-style duration ("90s", "1h") or a number of milliseconds; must be > 0.`,
    default: def,
  });

export const DIRECTIVES = ['no-store', 'no-cache', 'max-age', 'only-if-cached'] as const;
export type Directive = (typeof DIRECTIVES)[number];

export const LexicalEmbedderSchema = Type.Object(
  {
    type: Type.Literal('lexical'),
    dims: Type.Optional(Type.Integer({ minimum: 64, maximum: 4096, description: 'Vector size of the feature-hashing embedder. Default: 512.' })),
  },
  { additionalProperties: false, description: 'Built-in, dependency-free feature hashing of words, word pairs and character 3-grams: "fuzzy exact" matching with no egress.' },
);

export const UpstreamEmbedderSchema = Type.Object(
  {
    type: Type.Literal('upstream'),
    cluster: Type.String({ minLength: 1, description: 'Cluster whose endpoints serve an OpenAI-compatible embeddings API (llm_meta.api_key and scheme apply).' }),
    model: Type.String({ minLength: 1, description: 'Embedding model, e.g. text-embedding-3-small.' }),
    path: Type.Optional(Type.String({ pattern: '^/', description: 'Path of the embeddings API on the endpoint. Default: /v1/embeddings.' })),
    timeout: Type.Optional(
      Type.Union([Type.String({ pattern: GO_DURATION }), Type.Number({ exclusiveMinimum: 0 })], {
        description: 'Longest one embeddings call may take (Go duration or milliseconds); on timeout or error the lookup is an exact-only miss. Default: 2s.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Embeddings from a configured OpenAI-compatible /v1/embeddings endpoint; cached by the text\'s hash.' },
);

export const SemanticSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'Look for a similar earlier question after an exact miss.' }),
    embedder: Type.Union([LexicalEmbedderSchema, UpstreamEmbedderSchema], { default: { type: 'lexical' }, description: 'What turns the last user turn into a vector.' }),
    threshold: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.95,
      description: 'Least cosine similarity for a semantic hit. A client may raise it per request with x-dgp-cache-threshold, never lower it.',
    }),
    guards: Type.Array(Type.Union([Type.Literal('numbers'), Type.Literal('negation'), Type.Literal('entities')]), {
      default: ['numbers', 'negation', 'entities'],
      description: 'Refuse a semantic hit when the two questions differ in their numbers, their negations, or their capitalised names.',
    }),
    max_entries_per_partition: Type.Integer({ minimum: 1, default: 2000, description: 'Most vectors searched per partition (oldest dropped first).' }),
  },
  { additionalProperties: false, description: 'The semantic layer (off by default).' },
);

export const CacheConfigSchema = Type.Object(
  {
    store: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Adapter id of a dgp.adapter.store.* (e.g. a Redis store shared by every instance). Absent: an in-process LRU bounded by max_bytes.',
      }),
    ),
    max_bytes: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024, description: 'In-process LRU only: most bytes of entries kept; the least recently used go first.' }),
    max_entry_bytes: Type.Integer({ minimum: 256, default: 1024 * 1024, description: 'Answers whose stored record is larger are not cached.' }),
    compress_over: Type.Integer({ minimum: 0, default: 1024, description: 'Store only: records above this many bytes are gzip-compressed before they are written.' }),
    ttl: Duration('How long an entry is served.', '1h'),
    max_ttl: Duration("Ceiling for a key's own cache_ttl (principal metadata) and a client's x-dgp-cache-ttl.", '24h'),
    scope: Type.Union([Type.Literal('global'), Type.Literal('team'), Type.Literal('key'), Type.Literal('user')], {
      default: 'team',
      description:
        'Who shares entries: everyone, the key\'s team (a key without a team: the key), the key, or the key\'s user. team, key and user need dgp.filter.llm.keys before this filter; without a principal they fall back to global (warned).',
    }),
    namespace_header: Type.String({ default: 'x-dgp-cache-namespace', description: 'Request header whose value is appended to the scope (never replaces it); empty = none.' }),
    coalesce: Type.Boolean({ default: true, description: 'Identical misses in flight in one scope follow the first instead of calling upstream again: unary ones get its complete answer, streaming ones its answer live.' }),
    coalesce_wait: Duration("Longest a follower waits for its leader's complete answer (unary) or first response item (stream) before calling upstream itself.", '60s'),
    finish_reasons: Type.Array(Type.String({ minLength: 1 }), {
      default: ['stop', 'tool_calls'],
      description: 'Pivot finish reasons of answers that are stored (add length or content_filter to store those too).',
    }),
    allow_directives: Type.Array(Type.Union(DIRECTIVES.map((d) => Type.Literal(d))), {
      default: [...DIRECTIVES],
      description: 'Request directives clients may use (Cache-Control and the Portkey / Higress aliases); a directive not listed is ignored.',
    }),
    replay_pacing_ms: Type.Integer({ minimum: 0, maximum: 1000, default: 0, description: 'Pause between the word-sized deltas of a replayed stream, ms; 0 = as fast as the client reads.' }),
    debug_key: Type.Boolean({ default: false, description: 'Send the entry\'s key hash in x-dgp-cache-key (a probing oracle: keep off in production).' }),
    semantic: Type.Optional(SemanticSchema),
  },
  { additionalProperties: false, description: 'dgp.filter.llm.cache: the response cache (exact, optionally semantic), one entry for every client API.' },
);

export type CacheConfig = Static<typeof CacheConfigSchema>;
export type SemanticConfig = Static<typeof SemanticSchema>;
