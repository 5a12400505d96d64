// Schema of static_resources.clusters[]: load-balancing policy, consistent hashing, endpoints and their llm_meta.
// Pixiu matches bootstrap keys case-insensitively; we accept the two spellings seen in the wild (ID/id,
// UnHealthy/unhealthy). lb_policy and retry_policy names are free strings here: unknown ones are Pixiu-compat warnings.
import Type from 'typebox';
import { ClusterAdmissionSchema } from './admission.js';
import { Bool, Duration, FreeObject, Int, List, OneOf, Port, Str, StrictObject } from './common.js';

const O = Type.Optional;

export const LB_POLICIES = ['Rand', 'RoundRobin', 'RingHashing', 'MaglevHashing', 'WeightRandom', 'LeastRequest', 'LatencyEwma', 'CostAware'] as const;
export const RETRY_POLICIES = ['NoRetry', 'CountBased', 'ExponentialBackoff'] as const;
export const HASH_ON = ['method_uri', 'path', 'header', 'body'] as const;

const endpointId = (spelling: string) =>
  O(Type.Union([Type.String(), Type.Number()], {
    description: `Endpoint id, unique in the cluster (also written ${spelling === 'id' ? 'ID' : 'id'}). Numbers become strings (with a warning). Empty: "1", "2", ... by position.`,
    examples: ['vllm-a'],
    'x-pixiu': 'Pixiu matches ID and id alike; its samples write numbers (id: 1).',
  }));

const unhealthy = () => O(Bool({ description: 'Start the endpoint as unhealthy (static health seed). Default false.', pixiu: 'Pixiu writes UnHealthy; both spellings are accepted.' }));

const RetryPolicySchema = Type.Object(
  {
    name: O(Str({ description: `NoRetry, CountBased or ExponentialBackoff (case-insensitive).`, default: 'NoRetry', examples: ['CountBased'] })),
    config: O(FreeObject({ description: 'Policy options: CountBased {times}; ExponentialBackoff {times, initialInterval, maxInterval, multiplier}.', examples: [{ times: 3 }] })),
  },
  {
    // Extra keys are accepted so that Pixiu's misplaced `times:` becomes a warning with the fix, not a hard error.
    additionalProperties: true,
    description: 'Retries against this endpoint before fallback.',
    'x-pixiu': 'Pixiu silently ignores any key besides name and config (e.g. times:); the loader warns.',
  },
);

export const LlmMetaSchema = StrictObject(
  {
    provider: O(Str({ description: 'Provider: picks the provider plugin (wire format and auth) and labels logs and ids. deepseek, openrouter, aimlapi, ollama, vllm and vertex-ai bring a default host for an endpoint without socket_address; openai-compatible requires one (docs/providers.md).', default: 'openai', examples: ['deepseek'] })),
    api_key: O(Str({ description: 'Sent upstream as "Authorization: Bearer <api_key>" when non-empty. Use ${ENV} expansion rather than a literal key.', default: '', examples: ['${OPENAI_API_KEY}'] })),
    fallback: O(Bool({ description: "After this endpoint's retries are used up, try the next healthy endpoint in list order.", default: false })),
    health_check_interval: O(Duration({ description: 'Cooldown after a failure before the endpoint is tried again, ms or duration; 0 disables the cooldown.', default: 5000, examples: [10000], pixiu: 'In Pixiu 0 becomes 5000, so the cooldown cannot be turned off.' })),
    retry_policy: O(RetryPolicySchema),
    scheme: O(OneOf(['http', 'https'], { description: "Per-endpoint override of dgp.filter.llm.proxy's scheme (an addition; Pixiu has one scheme per filter)." })),
    model_map: O(Type.Record(Type.String(), Type.String(), { description: 'Rewrites the request model name for this endpoint (an addition).', examples: [{ 'gpt-4o': 'deepseek-chat' }] })),
    options: O(Type.Record(Type.String(), Type.Unknown(), { description: 'Provider-specific options read by provider adapters (an addition).', examples: [{ api_version: '2024-06-01' }] })),
    priority: O(Type.Integer({
      description:
        'Priority group of this endpoint (an addition, APISIX instances[].priority): higher first. The cluster picks among the highest group that has an endpoint neither unhealthy nor cooling down; fallback walks groups from high to low. Absent = 0.',
      examples: [1],
    })),
  },
  // Absent llm_meta means "not an LLM endpoint" (normalised to undefined), so it is not built from defaults.
  { description: 'LLM settings of this endpoint (never of the cluster). Absent: not an LLM endpoint.', 'x-dgp-keep-absent': true },
);

const SocketAddressSchema = StrictObject(
  {
    address: O(Str({ description: 'Upstream IP or host name.', default: '0.0.0.0', examples: ['127.0.0.1'] })),
    port: O(Port({ description: 'Upstream port.', default: 8881, examples: [8000] })),
    domains: O(List(Type.String(), { description: 'Host names; domains[0] (host or host:port, never a URL) becomes the request authority instead of address:port.', examples: [['api.openai.com']] })),
    resolver_name: O(Str({ description: 'Accepted for Pixiu configs; unused.', default: '' })),
    certs_dir: O(Str({ description: 'Accepted for Pixiu configs; unused.', default: '' })),
  },
  { description: 'Where the endpoint is.', pixiu: 'Without socket_address Pixiu sends to 0.0.0.0:8881 (the loader warns).' },
);

export const EndpointSchema = StrictObject(
  {
    id: endpointId('id'),
    ID: endpointId('ID'),
    name: O(Str({ description: 'Display name. Empty: "endpoint-<n>#<provider>" (or "endpoint-<n>") at run time.', default: '' })),
    socket_address: O(SocketAddressSchema),
    meta: O(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { description: 'Free string labels; "weight" is read by WeightRandom. Numbers and booleans become strings.', default: {}, examples: [{ weight: '10' }] })),
    unhealthy: unhealthy(),
    UnHealthy: unhealthy(),
    llm_meta: O(LlmMetaSchema),
  },
  { description: 'One upstream endpoint.' },
);

export const HealthCheckSchema = StrictObject(
  {
    protocol: O(OneOf(['http', 'https', 'tcp'] as const, { description: 'http / https: a request to http_path; tcp: a connect only.', default: 'http', pixiu: 'Pixiu HealthCheckConfig.protocol.' })),
    http_path: O(Str({ description: 'Path (and query) probed (APISIX checks.active.http_path).', default: '/', examples: ['/health', '/v1/models'] })),
    method: O(OneOf(['GET', 'HEAD'] as const, { description: 'HTTP method of the probe.', default: 'GET' })),
    headers: O(Type.Record(Type.String(), Type.String(), { description: 'Headers sent with every probe (e.g. an Authorization the health path needs; ${ENV} expands).', default: {} })),
    timeout: O(Duration({ description: 'A probe without an answer within this counts as failed.', default: '1s', pixiu: 'Pixiu HealthCheckConfig.timeout.' })),
    interval: O(Duration({ description: 'Time between two probes of one endpoint.', default: '10s', pixiu: 'Pixiu HealthCheckConfig.interval.' })),
    initial_delay_seconds: O(Type.Number({ minimum: 0, default: 0, description: 'Seconds before the first probe (Pixiu HealthCheckConfig.initial_delay_seconds).' })),
    healthy_threshold: O(Int({ description: 'Passing probes in a row that bring an unhealthy endpoint back (APISIX healthy.successes).', default: 2, minimum: 1 })),
    unhealthy_threshold: O(Int({ description: 'Failing probes in a row that take an endpoint out (APISIX unhealthy.http_failures).', default: 3, minimum: 1 })),
    healthy_statuses: O(List(Type.Integer({ minimum: 100, maximum: 599 }), { description: 'Statuses that pass (APISIX healthy.http_statuses). Empty: any 2xx or 3xx.', default: [] })),
    service_name: O(Str({ description: 'Accepted for Pixiu configs; unused.', default: '' })),
    check_config: O(FreeObject({ description: 'Accepted for Pixiu configs; unused.' })),
  },
  { description: 'One active health check (Pixiu health_checks[], APISIX checks.active).' },
);

export const ClusterSchema = StrictObject(
  {
    name: O(Str({ description: 'Cluster name, unique; routes refer to it. Empty: "cluster-<n>" (n counts unnamed clusters from 1).', default: '', examples: ['chat'] })),
    type: O(Str({ description: 'Discovery type; accepted for Pixiu configs ("" means EDS). Endpoints come from this file or from adapters.', default: '' })),
    lb_policy: O(Str({ description: `Load-balancing policy: ${LB_POLICIES.join(', ')} (case-sensitive).`, default: 'Rand', examples: ['RoundRobin'], pixiu: 'Pixiu silently uses Rand for unknown names such as "lb" or "round_robin"; the loader warns.' })),
    consistent: O(StrictObject(
      {
        replica_num: O(Int({ description: 'RingHashing: virtual nodes per endpoint (0 = library default).', default: 0, minimum: 0 })),
        max_vnode_num: O(Int({ description: 'RingHashing: cap on virtual nodes (0 = none).', default: 0, minimum: 0 })),
        maglev_table_size: O(Int({ description: 'MaglevHashing: lookup table size, a prime (0 = smallest listed prime > 100 x endpoints).', default: 0, minimum: 0 })),
        hash_on: O(OneOf(HASH_ON, { description: 'Hash key: "method_uri" (Pixiu: method + path + query), "path", a "header" or a JSON "body" field named by hash_key (an addition).', default: 'method_uri' })),
        hash_key: O(Str({ description: 'Header name (hash_on: header) or top-level body field (hash_on: body).', default: '', examples: ['x-session-id'] })),
      },
      { description: 'Consistent-hash settings for RingHashing and MaglevHashing.' },
    )),
    health_checks: O(List(HealthCheckSchema, { description: 'Active health checks, run against every endpoint of the cluster (docs/routing.md). An endpoint failing unhealthy_threshold probes in a row leaves the LB candidates; healthy_threshold passing probes bring it back.' })),
    endpoints: O(List(EndpointSchema, { description: 'Static endpoints, in fallback order.' })),
    admission: O(ClusterAdmissionSchema),
  },
  { description: 'One upstream cluster.' },
);
