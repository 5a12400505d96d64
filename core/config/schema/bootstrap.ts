// The top-level conf.yaml schema (BootstrapSchema): static_resources plus the gateway's own blocks (metric, admin,
// plugins, workers, admission, log, audit, tracing). Pixiu blocks we do not implement are accepted so that a Pixiu file loads; the loader warns.
import Type from 'typebox';
import { AdapterSchema } from './adapter.js';
import { AdmissionSchema } from './admission.js';
import { ClusterSchema } from './cluster.js';
import { Bool, Duration, Int, List, OneOf, Port, Str, StrictObject } from './common.js';
import { ListenerSchema } from './listener.js';
import { AuditSchema, TracingSchema } from './telemetry.js';

const O = Type.Optional;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Pixiu top-level blocks that are accepted and ignored (each gets a warning when present). */
export const IGNORED_TOP_LEVEL = ['dynamic_resources', 'node', 'config-center', 'nacos', 'wasm'] as const;

const ignored = (what: string) =>
  O(Type.Unknown({ description: `Pixiu ${what}; accepted so that Pixiu files load, but ignored (the loader warns).`, 'x-pixiu': 'Not implemented by dgp.' }));

const StaticResourcesSchema = StrictObject(
  {
    listeners: O(List(ListenerSchema, { description: 'Traffic listeners.' })),
    clusters: O(List(ClusterSchema, { description: 'Upstream clusters.' })),
    adapters: O(List(AdapterSchema, { description: 'Adapters, e.g. dgp.adapter.llmregistrycenter (Nacos endpoint discovery).' })),
    shutdown_config: O(StrictObject(
      {
        timeout: O(Duration({ description: 'Longest graceful shutdown: in-flight requests (streams included) get this long to finish.', default: '30s', examples: ['60s'], pixiu: 'Pixiu defaults to 0s when the block is absent.' })),
        step_timeout: O(Duration({ description: 'Pause between shutdown steps (stop accepting, drain, close).', default: 0, examples: ['10s'] })),
        reject_policy: O(Str({ description: 'How new requests are treated during shutdown; "immediacy" answers 503 at once.', default: 'immediacy' })),
      },
      { description: 'Graceful shutdown.' },
    )),
    pprofConf: ignored('pprof settings'),
  },
  { description: 'Listeners, clusters, adapters and shutdown settings.' },
);

export const BootstrapSchema = StrictObject(
  {
    static_resources: StaticResourcesSchema,
    metric: O(StrictObject(
      {
        enable: O(Bool({ description: 'Serve Prometheus metrics on prometheus_port (they are always on the admin listener at /metrics).', default: false })),
        prometheus_port: O(Port({ description: 'Port of the Prometheus exporter, path "/" (0 = only the admin /metrics).', default: 0, examples: [2222] })),
        max_series_per_metric: O(Int({
          description: 'Most label sets (series) one metric may hold; writes that would create more are dropped and counted in dgp_metrics_series_dropped_total{metric}. 0 = no cap. Fixed at start.',
          default: 2000,
          minimum: 0,
        })),
      },
      { description: 'Prometheus exporter (Pixiu-compatible).' },
    )),
    admin: O(StrictObject(
      {
        enabled: O(Bool({ description: 'Run the admin listener (/health /ready /metrics /config /plugins, POST /reload, plugin routes under /admin/v1/).', default: true })),
        address: O(Str({ description: 'Admin bind address; keep it private.', default: '127.0.0.1' })),
        port: O(Port({ description: 'Admin port.', default: 8889 })),
        token: O(Str({
          description: 'Admin token: every admin request but GET /health and /ready must send `Authorization: Bearer <token>` (or `X-Admin-Token`). Empty = none, allowed only while address is a loopback address. At least 16 characters; take it from the environment.',
          default: '',
          examples: ['${DGP_ADMIN_TOKEN}'],
        })),
        allowed_hosts: O(List(Type.String(), {
          description: 'Host names (besides IP addresses and localhost) the admin listener answers to; any other Host header gets 421 (a DNS-rebinding guard). A leading "*." matches subdomains.',
          examples: [['admin.gw.internal', '*.svc.cluster.local']],
        })),
      },
      { description: 'The admin listener (a dgp addition).' },
    )),
    plugins: O(StrictObject(
      {
        dirs: O(List(Type.String(), { description: 'Folders holding third-party plugin packages, relative to the config directory.', examples: [['plugins']] })),
        create_timeout: O(Duration({ description: "Longest a plugin's create() may take; past it the load or reload fails with DGP_ERR_PLUGIN_TIMEOUT and the previous config keeps serving.", default: '30s', examples: ['10s'] })),
        close_timeout: O(Duration({ description: "Longest a plugin's close() (or an adapter's stop()) may take when its generation is retired or the gateway stops; past it the host logs DGP_ERR_PLUGIN_TIMEOUT and moves on.", default: '5s', examples: ['2s'] })),
        allow_unsafe: O(Bool({ description: 'Load plugin packages that are symlinked out of their plugin directory or world-writable (a warning each) instead of refusing them.', default: false })),
        integrity: O(Type.Record(Type.String(), Type.String({ pattern: '^(sha256-)?[0-9a-f]{64}$' }), {
          description: "Optional allowlist: plugin package folder name → sha256 (hex) of its entry file. When set, a third-party package that is not listed, or whose entry's hash differs, is refused (DGP_ERR_PLUGIN_INTEGRITY). Compute one with `sha256sum <entry>`.",
          examples: [{ 'my-filter': 'sha256-3f1c2a…' }],
        })),
      },
      { description: 'Where third-party plugins are found and how they are trusted (built-in plugins are always loaded).' },
    )),
    workers: O(StrictObject(
      {
        threads: O(Int({ description: 'Worker threads for tokenizing and hashing; 0 = CPU cores - 1 (at least 1).', default: 0, minimum: 0 })),
        max_queue: O(Int({ description: 'Tasks waiting for a worker before new ones are refused.', default: 1024, minimum: 1 })),
      },
      { description: 'The worker-thread pool.' },
    )),
    admission: O(AdmissionSchema),
    log: O(StrictObject(
      {
        level: O(OneOf(LOG_LEVELS, { description: 'Log level.', default: 'info' })),
        access_log: O(Bool({ description: 'One JSON access-log line per request.', default: true })),
        format: O(OneOf(['json', 'pretty'], { description: 'json: one JSON object per line (production). pretty: readable coloured lines for a terminal (development); `dgp start --pretty` sets it too.', default: 'json' })),
      },
      { description: 'Logging.' },
    )),
    dynamic_resources: ignored('xDS settings'),
    audit: O(AuditSchema),
    tracing: O(TracingSchema),
    node: ignored('node identity'),
    'config-center': ignored('config-center settings'),
    nacos: ignored('config-center Nacos settings'),
    wasm: ignored('wasm settings'),
  },
  { description: 'conf.yaml of dgp-gateway (a Pixiu bootstrap plus dgp additions).' },
);
