// Schema of the HTTP connection manager config (dgp.filter.httpconnectionmanager): routes and the http_filters chain.
// Each http_filters[].config is left free here; the registry checks it against the plugin's own configSchema.
import Type from 'typebox';
import { PRIORITY_LIMIT } from './admission.js';
import { Bool, Duration, FreeObject, Int, List, OneOf, Str, StrictObject } from './common.js';

const O = Type.Optional;

export const HCM_KIND = 'dgp.filter.httpconnectionmanager';
export const ERROR_FORMATS = ['auto', 'openai', 'anthropic', 'gemini', 'pixiu'] as const;

const HeaderMatchSchema = StrictObject(
  {
    name: Str({ description: 'Request header name (case-insensitive).', examples: ['X-Model'], minLength: 1 }),
    values: O(List(Type.String(), { description: 'Exact values; the first request header value must equal one of them. With regex: true, values[0] is the regular expression.', examples: [['gpt-4o']] })),
    regex: O(Bool({ description: 'Treat values[0] as a regular expression.', default: false, pixiu: 'Pixiu uses Go regexp syntax; JavaScript syntax is the same for common patterns.' })),
  },
  { description: 'One header matcher; all listed matchers must match.' },
);

export const RouteSchema = StrictObject(
  {
    id: O(Type.Union([Type.String(), Type.Number()], { description: 'Optional route id, shown in logs and metrics. Numbers become strings.', default: '', examples: ['chat'] })),
    match: StrictObject(
      {
        prefix: O(Str({ description: 'Segment-wise path prefix: "/v1/chat" matches /v1/chat and /v1/chat/completions, not /v1/chatx. "/" matches everything.', default: '', examples: ['/v1'] })),
        path: O(Str({ description: 'Exact path; ":name" matches one segment, "*" any one segment.', default: '', examples: ['/v1/chat/completions'] })),
        regex: O(Str({ description: 'JavaScript regular expression matched against the whole path (an addition: Pixiu has not implemented regex routes).', default: '', examples: ['^/v1/(chat/)?completions$'] })),
        methods: O(List(Type.String(), { description: 'Allowed methods; [] = GET POST PUT DELETE PATCH OPTIONS HEAD; "*" = any.', examples: [['POST']] })),
        headers: O(List(HeaderMatchSchema, { description: 'Header matchers. Routes with headers and no path/prefix/regex are tried first, in order.' })),
        model: O(List(Str({ description: 'A model name or a pattern with `*`.', minLength: 1 }), {
          description:
            "Models this route takes: exact names or `*` patterns, matched against the request's model as a filter of the listener reads it (dgp.filter.llm.proxy: the JSON body's model, or the Gemini path). The body is read before routing only on listeners with such routes, and only when a model route could take the request. [] = any.",
          examples: [['gpt-4o', 'gpt-4o-*']],
        })),
      },
      { description: 'What a request must look like to take this route.' },
    ),
    route: StrictObject(
      {
        cluster: Str({ description: 'Name of the cluster that serves this route.', examples: ['chat'] }),
        cluster_not_found_response_code: O(Int({ description: 'Status sent when the cluster does not exist at request time.', default: 503, minimum: 100, maximum: 599, pixiu: 'dgp.filter.llm.proxy in Pixiu ignores it and sends 503.' })),
        priority: O(Int({
          description: 'Admission priority of requests on this route when they have to queue (higher first), unless their key or an allowed header gives one; see admission.priority.',
          minimum: -PRIORITY_LIMIT,
          maximum: PRIORITY_LIMIT,
          examples: [10],
          pixiu: 'An addition; Pixiu has no admission queue.',
        })),
        filters: O(Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()), {
          description: "Per-route filter config (Envoy's typed_per_filter_config): filter kind → override, deep-merged into that filter's config in http_filters for this route only (see docs/configuration.md#per-route-filter-config).",
          examples: [{ 'dgp.filter.llm.proxy': { timeout: '5s' } }],
          'x-pixiu': 'An addition; Pixiu has no per-route filter config.',
        })),
      },
      { description: 'Where matching requests go.' },
    ),
  },
  { description: 'One route.' },
);

const HttpFilterSchema = StrictObject(
  {
    name: Str({ description: 'Kind of the HTTP filter plugin.', examples: ['dgp.filter.llm.proxy'], minLength: 1 }),
    config: O(FreeObject({ description: "The filter's config, checked against the plugin's configSchema (see the plugin's README)." })),
  },
  { description: 'One HTTP filter; decode hooks run in list order, encode hooks in reverse.' },
);

export const HcmSchema = StrictObject(
  {
    route_config: O(StrictObject(
      {
        routes: O(List(RouteSchema, { description: 'Routes, matched as described in docs/configuration.md#routes.' })),
        dynamic: O(Bool({ description: 'Accepted for Pixiu configs (dynamic route registration); no effect yet.', default: false })),
      },
      { description: 'The route table.' },
    )),
    http_filters: O(List(HttpFilterSchema, { description: 'The HTTP filter chain, in order. Recommended: dgp.filter.ai.kvcache, dgp.filter.llm.tokenizer, dgp.filter.llm.proxy.' })),
    server_name: O(Str({ description: 'Server name reported in logs.', default: '' })),
    idle_timeout: O(Duration({ description: 'Accepted for Pixiu configs; the listener config.idle_timeout governs keep-alive. 0 = not set.', default: 0 })),
    generate_request_id: O(Bool({ description: 'Set x-request-id (a random UUID) on the upstream-bound request when the client sent none or an unusable one (not 1-128 visible ASCII characters). The request id of logs and replies is always the client\'s usable x-request-id, else a random UUID.', default: false })),
    timeout: O(Duration({ description: 'Request timeout of the connection manager (0 = none); plugins such as dgp.filter.ai.kvcache cap their own timeouts with it.', default: 0, examples: ['60s'], pixiu: 'Pixiu accepts but does not enforce it.' })),
    error_format: O(OneOf(ERROR_FORMATS, { description: "Shape of local error replies, passed to the listener's renderers (dgp.filter.llm.proxy registers one): 'auto' follows the API the client speaks (from the path); 'openai', 'anthropic', 'gemini' fix the shape; 'pixiu' is Pixiu's {status,message,error}, also what a listener without a renderer gives.", default: 'auto' })),
  },
  { description: `Config of ${HCM_KIND}.` },
);
