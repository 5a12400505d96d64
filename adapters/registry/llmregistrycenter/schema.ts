// Config schema of dgp.adapter.llmregistrycenter: Pixiu's `registries: {name: {protocol, address, timeout, group,
// namespace, username, password}}` plus the etcd protocol and polling/backoff knobs. docs/registry.md documents every field.
import Type, { type Static } from 'typebox';

// Go durations ("500ms", "30s", "1m30s"); checked again by parseDuration in create().
const GO_DURATION = '^(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h))+$';

const Duration = (description: string, def: string) =>
  Type.Union([Type.String({ pattern: GO_DURATION }), Type.Number({ exclusiveMinimum: 0 })], {
    description: `${description} A Go-style duration ("500ms", "30s", "1m30s") or a number of milliseconds; must be > 0.`,
    default: def,
  });

const Str = (description: string, def: string) => Type.String({ description, default: def });

// One or more `host:port` / `http(s)://host:port` items, comma-separated (IPv6 literals in brackets).
const SERVER = '\\s*(https?://)?(\\[[0-9A-Fa-f:.]+\\]|[^\\s,/:\\[\\]]+)(:[0-9]{1,5})?/?\\s*';
const ADDRESS = `^${SERVER}(,${SERVER})*,?\\s*$`;

export const RegistrySchema = Type.Object(
  {
    protocol: Type.Union([Type.Literal('nacos'), Type.Literal('etcd')], {
      description: 'nacos (Nacos naming over its HTTP Open API) or etcd (endpoint JSON under key_prefix, watched).',
    }),
    address: Type.String({
      minLength: 1,
      pattern: ADDRESS,
      description: 'Comma-separated servers, host:port or http(s)://host:port. Default ports: 8848 (nacos), 2379 (etcd). Tried in order; the next one on failure.',
    }),
    timeout: Duration('Per-request timeout towards the registry (login, list, range).', '5s'),
    group: Str('Nacos group whose services are listed.', 'DEFAULT_GROUP'),
    namespace: Str('Nacos namespace id; empty = the server default (public).', ''),
    username: Str('Nacos or etcd user; empty = no login.', ''),
    password: Str('Password of username.', ''),
    registry_type: Str('Pixiu compatibility; accepted and unused by the LLM registry.', 'interface'),
    poll_interval: Duration('nacos: how often services and instances are re-listed (Pixiu: 30s). etcd: how often the watch connection is probed; a failed probe reconnects.', '30s'),
    context_path: Str('nacos: the server context path.', '/nacos'),
    key_prefix: Type.String({ minLength: 1, default: '/dgp/llm/', description: 'etcd: endpoints live at <key_prefix><cluster>/<endpoint-id>.' }),
    reconnect_min: Duration('First wait before retrying a failed registry call or a broken watch; doubles each time.', '200ms'),
    reconnect_max: Duration('Longest wait between retries.', '10s'),
  },
  { additionalProperties: false, description: 'One registry the adapter reads endpoints from.' },
);

export const LlmRegistryConfigSchema = Type.Object(
  {
    registries: Type.Record(Type.String({ minLength: 1 }), RegistrySchema, {
      default: {},
      description: 'Registries by name; the name appears in endpoint sources (nacos:<name>, etcd:<name>), metrics and /ready.',
    }),
  },
  { additionalProperties: false, description: 'dgp.adapter.llmregistrycenter: LLM endpoints from Nacos or etcd, added without a reload.' },
);

export type RegistryConfig = Static<typeof RegistrySchema>;
export type LlmRegistryConfig = Static<typeof LlmRegistryConfigSchema>;
