// Config schema of dgp.filter.llm.proxy: Pixiu's five keys (timeout, maxIdleConns, maxIdleConnsPerHost,
// maxConnsPerHost, scheme) plus our timeouts, retry conditions, retry budget and TLS option. README.md documents every field.
import Type, { type Static } from 'typebox';
import { ModelRoutingFields } from './model-schema.js';

// Go durations ("1m30s", "0.5s") or "0"; checked again by parseDuration in create().
const GO_DURATION = '^(0|([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h)(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h))*)$';
const RETRY_TOKEN = '^(connect_error|reset|network_error|timeout|empty_stream|stream_error|4xx|5xx|all_non_2xx|[1-5][0-9][0-9])$';

const BudgetFields = {
  budget_percent: Type.Optional(Type.Number({
    minimum: 0,
    maximum: 100,
    description: 'Retries in flight to a cluster may reach this percentage of the requests in flight to it (Envoy: budget_percent). 100 = no budget.',
  })),
  min_retry_concurrency: Type.Optional(Type.Integer({ minimum: 0, description: 'Retries in flight a cluster is always allowed, however few requests it has (Envoy: min_retry_concurrency).' })),
};

const RetryBudgetSchema = Type.Object(
  {
    budget_percent: Type.Optional(Type.Number({ ...BudgetFields.budget_percent, default: 20 })),
    min_retry_concurrency: Type.Optional(Type.Integer({ ...BudgetFields.min_retry_concurrency, default: 3 })),
    clusters: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Object(BudgetFields, { additionalProperties: false }), {
        default: {},
        description: 'Per-cluster settings by cluster name; a field left out takes the value above.',
      }),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      "Envoy's retry budget, per cluster across every request: a retry (any attempt after a request's first, same endpoint or fallback) is made only while the retries in flight to the cluster are under max(min_retry_concurrency, budget_percent % of its requests in flight); a refused retry ends the request with the last upstream answer or error.",
  },
);

const Duration = (description: string, def?: string | number) =>
  Type.Union([Type.String({ pattern: GO_DURATION }), Type.Number({ minimum: 0 })], {
    description: `${description} A Go-style duration ("500ms", "30s", "1m30s") or a number of milliseconds.`,
    ...(def === undefined ? {} : { default: def }),
  });

// 529: Anthropic's "overloaded" status, retried like a 503. stream_error: the same error sent as the first
// event of a 200 stream (property 19); nothing has reached the client then, so falling back is safe.
export const DEFAULT_RETRY_ON: ReadonlyArray<string | number> = ['connect_error', 'reset', 'empty_stream', 'stream_error', 429, 500, 502, 503, 504, 529];

export const ProxyConfigSchema = Type.Object(
  {
    timeout: Type.Optional(
      Duration('Pixiu per-request timeout. Bounds each attempt up to the response headers and is the default for first_byte_timeout; unlike Pixiu it never cuts a body that has started. 0 = none.', 0),
    ),
    maxIdleConns: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Pixiu compatibility; accepted and ignored (undici closes idle sockets after keep_alive_timeout instead of capping them).' })),
    maxIdleConnsPerHost: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Pixiu compatibility; accepted and ignored (see maxIdleConns).' })),
    maxConnsPerHost: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Max sockets per endpoint origin; more requests queue. 0 = unlimited.' })),
    scheme: Type.Optional(Type.String({ default: 'http', pattern: '^\\s*[hH][tT][tT][pP][sS]?\\s*$', 'x-dgp-expects': 'http or https', examples: ['http', 'https'], description: 'http or https (trimmed, case-insensitive) for every endpoint; llm_meta.scheme overrides it per endpoint.' })),
    connect_timeout: Type.Optional(Duration('TCP + TLS connect timeout per attempt; 0 = none.', '10s')),
    first_byte_timeout: Type.Optional(Duration('Time from sending the request to the response headers (time to first token for streams); 0 = none. Default: timeout when set, else 300s.')),
    idle_timeout: Type.Optional(Duration('Max silence between two body chunks; 0 = none.', '300s')),
    deadline: Type.Optional(Duration('Total time for the whole exchange: every attempt, backoff wait and, once started, the body. 0 = none.', 0)),
    keep_alive_timeout: Type.Optional(Duration('How long an idle upstream socket is kept; keep it below the upstream server keep-alive.', '4s')),
    sse_keepalive: Type.Optional(
      Duration(
        'While an event stream sent to the client is quiet this long (the upstream silent, or sending nothing the client sees yet), write an SSE comment line ": keep-alive" on the next event boundary, so idle-connection timers of load balancers and clients do not cut it; never inside an event, never on other bodies. 0 = off.',
        '15s',
      ),
    ),
    retry_on: Type.Optional(
      Type.Array(Type.Union([Type.String({ pattern: RETRY_TOKEN }), Type.Integer({ minimum: 100, maximum: 599 })]), {
        default: [...DEFAULT_RETRY_ON],
        description: 'Failures that are retried and fall back: connect_error, reset, timeout, empty_stream, stream_error (a 2xx event stream whose first event is an error), a status (429), 4xx, 5xx, or all_non_2xx (Pixiu behaviour).',
      }),
    ),
    respect_retry_after: Type.Optional(Type.Boolean({ default: true, description: 'Wait what a 429/503 Retry-After asks before retrying the same endpoint.' })),
    max_retry_after: Type.Optional(Duration('Longest Retry-After honoured; a longer one skips the same-endpoint retries and falls back.', '10s')),
    ca_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of extra CA certificates (self-hosted TLS), relative to the config directory. Certificates are always verified.' })),
    fallback_order: Type.Optional(
      Type.Union([Type.Literal('wrap'), Type.Literal('forward')], {
        default: 'wrap',
        description:
          'Where a fallback walk goes from the picked endpoint: wrap = the healthy endpoints after it in list order, then from the start of the list, so every healthy endpoint is tried once whatever the pick; forward = only those after it, no wrap-around (Pixiu).',
      }),
    ),
    redact: Type.Optional(
      Type.Array(Type.String({ minLength: 8 }), {
        default: [],
        description:
          'More secrets never sent to a client (e.g. "${ORG_TOKEN}"), besides each endpoint\'s llm_meta.api_key, which is always redacted: every form of them (literal, URL-encoded, JSON-escaped) in upstream headers and bodies, streams included, becomes [REDACTED].',
      }),
    ),
    retry_budget: Type.Optional(RetryBudgetSchema),
    attempts_header: Type.Optional(Type.Boolean({ default: true, description: 'Add x-dgp-attempts (every attempt, e.g. "a=503;b=200") to the response.' })),
    ...ModelRoutingFields,
  },
  { additionalProperties: false, description: 'dgp.filter.llm.proxy: forwards the request to the route cluster with retries and fallback.' },
);

export type ProxyConfig = Static<typeof ProxyConfigSchema>;
