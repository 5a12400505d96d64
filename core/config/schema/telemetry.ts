// Schema of the top-level `audit:` block (one record per request and per admin action, written to sinks) and of
// Pixiu's top-level `tracing:` block with dgp's fields (OpenTelemetry over OTLP/HTTP). docs/audit.md and
// docs/tracing.md explain the semantics; the loader turns durations into ms.
import Type from 'typebox';
import { Bool, Duration, Int, OneOf, Str, StrictObject } from './common.js';

const O = Type.Optional;

const Headers = (description: string) =>
  O(Type.Record(Type.String(), Type.String(), { description, default: {}, examples: [{ authorization: 'Bearer ${AUDIT_TOKEN}' }] }));

const StdoutSink = StrictObject(
  { type: Type.Literal('stdout', { description: 'One JSON line per record on standard output.' }) },
  { description: 'JSONL on standard output.' },
);

const FileSink = StrictObject(
  {
    type: Type.Literal('file', { description: 'A JSONL file, rotated by size.' }),
    path: Str({ description: 'The file, relative to the config directory; its folder is created.', minLength: 1, examples: ['./audit/audit.jsonl'] }),
    max_bytes: O(Int({ description: 'Rotate when the file would grow past this size: audit.jsonl → audit.jsonl.1 → … (0 = never).', default: 104_857_600, minimum: 0 })),
    max_files: O(Int({ description: 'Rotated files kept beside the live one; older ones are deleted.', default: 5, minimum: 1, maximum: 1000 })),
  },
  { description: 'A rotating JSONL file.' },
);

const WebhookSink = StrictObject(
  {
    type: Type.Literal('webhook', { description: 'Batches POSTed as a JSON array.' }),
    url: Str({ description: 'Where batches are POSTed (`content-type: application/json`, body: an array of records).', minLength: 1, examples: ['https://siem.example/ingest'] }),
    headers: Headers('Extra request headers (e.g. the receiver\'s token; take it from the environment).'),
    batch_size: O(Int({ description: 'Most records per POST.', default: 100, minimum: 1, maximum: 10_000 })),
    timeout: O(Duration({ description: 'Longest one POST may take.', default: '5s' })),
    max_retries: O(Int({ description: 'Retries of a failed POST (network error, 408, 429, 5xx), with exponential backoff from retry_backoff; then the batch goes to dead_letter.', default: 3, minimum: 0, maximum: 20 })),
    retry_backoff: O(Duration({ description: 'First backoff; doubled on each retry.', default: '200ms' })),
    dead_letter: O(Str({ description: 'A JSONL file (relative to the config directory) for the records of a batch that could not be delivered; empty = they are dropped and counted.', default: '', examples: ['./audit/dead-letter.jsonl'] })),
  },
  { description: 'A batched HTTP webhook with retries and a dead-letter file.' },
);

const RedisStreamSink = StrictObject(
  {
    type: Type.Literal('redis_stream', { description: 'XADD to a Redis stream (shared by every instance).' }),
    store: Str({ description: 'The id of a dgp.adapter.store.redis adapter under static_resources.adapters.', minLength: 1, examples: ['shared'] }),
    stream: O(Str({ description: 'The stream key (the store\'s key prefix is added).', default: 'dgp:audit', minLength: 1 })),
    max_len: O(Int({ description: 'Approximate cap of the stream (`XADD … MAXLEN ~ max_len`): the oldest entries are trimmed.', default: 1_000_000, minimum: 1 })),
  },
  { description: 'A Redis stream, written through a store adapter; each record is added once (idempotent retries).' },
);

export const AuditSinkSchema = Type.Union([StdoutSink, FileSink, WebhookSink, RedisStreamSink], {
  description: 'One audit sink, by `type`: stdout | file | webhook | redis_stream.',
});

export const AuditSchema = StrictObject(
  {
    sinks: O(Type.Array(AuditSinkSchema, { description: 'Where records go; every record goes to every sink. Empty = no audit records.', default: [] })),
    hmac_secret: O(Str({
      description: 'Key of `prompt_hash` (HMAC-SHA256 over the request body as the filters left it, i.e. after guardrail redaction). Empty = no prompt_hash (a plain hash of a short prompt can be reversed by guessing, so none is written). Take it from the environment; use at least 32 random characters.',
      default: '',
      examples: ['${DGP_AUDIT_SECRET:-}'],
    })),
    max_queue: O(Int({ description: 'Records waiting for the sinks; when full the oldest is dropped and counted in dgp_audit_dropped_total (a request never waits for the audit).', default: 10_000, minimum: 1 })),
    flush_interval: O(Duration({ description: 'How often queued records are handed to the sinks (also at once when a batch is full, and on shutdown).', default: '1s', examples: ['200ms'] })),
    bodies: O(StrictObject(
      {
        mode: O(OneOf(['off', 'all', 'per_key'] as const, { description: 'off: no bodies; all: every record; per_key: only for virtual keys whose metadata has `audit_bodies: true`. Bodies are the request as the filters left it (after guardrail redaction) and a unary answer.', default: 'off' })),
        max_bytes: O(Int({ description: 'Each body is cut to this many bytes (`truncated: true`).', default: 4096, minimum: 1, maximum: 1_048_576 })),
      },
      { description: 'Request and response bodies in records: off by default.' },
    )),
  },
  { description: 'The audit record: one per request (after its stream ended) and one per admin action, to the configured sinks (docs/audit.md).' },
);

export const TracingSchema = StrictObject(
  {
    enabled: O(Bool({ description: 'Export traces. Absent: on when Pixiu\'s `name` is set, else off.' })),
    service_name: O(Str({ description: 'The `service.name` resource attribute (Pixiu: serviceName).', examples: ['dgp-gateway'] })),
    exporter: O(StrictObject(
      {
        endpoint: O(Str({ description: 'OTLP/HTTP traces URL (protobuf encoding). Default: Pixiu\'s config.endpoint or config.url, else http://127.0.0.1:4318/v1/traces.', examples: ['http://127.0.0.1:4318/v1/traces'] })),
        timeout: O(Duration({ description: 'Longest one export may take.', default: '2s' })),
        headers: Headers('Extra export request headers.'),
      },
      { description: 'Where spans go: OTLP over HTTP, protobuf encoding.' },
    )),
    sampler: O(StrictObject(
      {
        ratio: O(Type.Number({ minimum: 0, maximum: 1, description: 'Share of new traces sampled (parent-based: a client\'s sampled traceparent is always followed, an unsampled one never). Default: Pixiu\'s param, else 1.' })),
        type: O(Str({ description: 'Pixiu\'s sampler type; `const` with param 0/1, `probabilistic`/`ratio` with param as ratio; others read param as the ratio.' })),
        param: O(Type.Number({ minimum: 0, maximum: 1, description: 'Pixiu\'s sampler parameter (the ratio).' })),
      },
      { description: 'Parent-based ratio sampling.' },
    )),
    batch: O(StrictObject(
      {
        max_queue: O(Int({ description: 'Ended spans waiting for export or being exported; past it spans are dropped (counted in dgp_tracing_spans_dropped_total).', default: 2048, minimum: 1 })),
        max_export_batch: O(Int({ description: 'Most spans per export request.', default: 512, minimum: 1 })),
        schedule_delay: O(Duration({ description: 'Export at least this often.', default: '2s', examples: ['500ms'] })),
      },
      { description: 'The bounded batch span processor.' },
    )),
    propagate_to_upstream: O(Bool({ description: 'Send each attempt\'s own `traceparent` upstream (the CLIENT span as parent). Off: a client\'s traceparent passes through unchanged as any header does.', default: false })),
    attribute_value_limit: O(Int({ description: 'Longest string attribute value; longer ones are cut.', default: 4096, minimum: 16 })),
    name: O(Str({ description: 'Pixiu\'s tracer name (otlp, jaeger): spans are exported over OTLP/HTTP either way (Jaeger accepts OTLP).' })),
    serviceName: O(Str({ description: 'Pixiu\'s service name (service_name wins).' })),
    config: O(Type.Record(Type.String(), Type.Unknown(), { description: 'Pixiu\'s exporter settings: `endpoint` or `url` is read as exporter.endpoint.' })),
  },
  { description: 'OpenTelemetry traces (Pixiu\'s block plus dgp fields): a SERVER span per request and a CLIENT span per upstream attempt, GenAI conventions (docs/tracing.md).' },
);
