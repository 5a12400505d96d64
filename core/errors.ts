// Every error code the host emits, in one registry (fastify's FST_ERR_* habit), kept in step with docs/errors.md by a
// test. A plugin's own codes live in its own folder, defined with `defineErrorCode`, which registers them (with their
// summary and fix) so that docs/errors.md lists them too and a DgpError made with the bare code gets their status.

export interface ErrorCodeInfo {
  /** HTTP status when the error becomes a local reply. */
  readonly status: number;
  /** One line: what went wrong. */
  readonly summary: string;
  /** What to do about it. */
  readonly fix: string;
}

export const ERROR_CODES = {
  // --- config ---
  DGP_ERR_CONFIG_NOT_FOUND: { status: 500, summary: 'No conf.yaml in the config directory, or the -c file does not exist.', fix: 'Pass --config-dir <dir> holding conf.yaml, or -c <file>.' },
  DGP_ERR_CONFIG_YAML: { status: 500, summary: 'The YAML does not parse.', fix: 'Fix the syntax at the reported file:line (indentation, quotes, tabs).' },
  DGP_ERR_CONFIG_ENV_UNSET: { status: 500, summary: 'A ${VAR} placeholder names an unset environment variable and has no default.', fix: 'Export the variable, or write ${VAR:-default} (an empty default is allowed: ${VAR:-}).' },
  DGP_ERR_CONFIG_ENV_SYNTAX: { status: 500, summary: 'A ${...} placeholder is malformed.', fix: 'Use ${NAME} or ${NAME:-default}; NAME is letters, digits and underscores.' },
  DGP_ERR_CONFIG_SCHEMA: { status: 500, summary: 'A field has the wrong type, a wrong value, is missing or is unknown.', fix: 'Follow the hint; docs/configuration.md lists every field with its type and default.' },
  DGP_ERR_CONFIG_PROTO_KEY: { status: 500, summary: 'A YAML key is __proto__, constructor or prototype (prototype pollution).', fix: 'Remove or rename the key.' },
  DGP_ERR_CONFIG_DOMAIN: { status: 500, summary: 'socket_address.domains or socket_address.address holds a URL (scheme or path) instead of a host name.', fix: 'Write the bare host, e.g. api.openai.com, not https://api.openai.com/v1.' },
  DGP_ERR_CONFIG_DUPLICATE: { status: 500, summary: 'Two listeners, clusters, routes or adapters share a name, address or id that must be unique.', fix: 'Rename or remove one of them.' },
  DGP_ERR_CONFIG_REFERENCE: { status: 500, summary: 'A route names a cluster that is not defined and no adapter can create it.', fix: 'Define the cluster under static_resources.clusters, or fix the name.' },
  DGP_ERR_CONFIG_PIXIU_COMPAT: { status: 500, summary: 'A mistake Pixiu tolerates silently (a warning; an error under --strict).', fix: 'Apply the exact fix the message gives.' },
  DGP_ERR_CONFIG_DURATION: { status: 500, summary: 'A duration is not a Go-style duration string or a number of milliseconds.', fix: 'Write e.g. 500ms, 5s, 1m30s, or a number of milliseconds.' },
  DGP_ERR_CONFIG_FILTER_ORDER: { status: 500, summary: 'A filter is listed after a terminal filter (e.g. dgp.filter.llm.proxy), so it would never run.', fix: 'Move the filter before the terminal one in http_filters (the message names both).' },
  DGP_ERR_CONFIG_ROUTE_MODEL: { status: 500, summary: "A route matches on match.model, but no filter of its listener reads the request's model (the routeModel hook).", fix: 'Add dgp.filter.llm.proxy (or another filter with routeModel) to the listener http_filters, or drop match.model.' },
  DGP_ERR_CONFIG_ROUTE_FILTER: { status: 500, summary: "A route's filters: override names a filter that is not in the listener's http_filters.", fix: 'Fix the kind (a suggestion is given) or add the filter to the listener\'s http_filters.' },
  DGP_ERR_CONFIG_TOO_LARGE: { status: 500, summary: 'The config is larger, nests deeper, or holds a longer string or key than the parser accepts; it was refused before any other check.', fix: 'Keep conf.yaml under 4 MiB, nesting under 64 levels and each string under 64 KiB (a key under 1 KiB); put large data in files the plugin reads.' },
  // --- plugins ---
  DGP_ERR_PLUGIN_UNKNOWN_KIND: { status: 500, summary: 'No loaded plugin provides this kind.', fix: 'Check the spelling (a suggestion is given), or add the plugin folder with --plugin-dir or plugins.dirs.' },
  DGP_ERR_PLUGIN_DUPLICATE_KIND: { status: 500, summary: 'Two plugins provide the same kind.', fix: 'Remove one of the two folders named in the message.' },
  DGP_ERR_PLUGIN_IMPORT: { status: 500, summary: 'A plugin entry failed to import.', fix: 'Run `node <entry>` to see the error; check package.json "dgp.entry" or "main".' },
  DGP_ERR_PLUGIN_MANIFEST: { status: 500, summary: 'A plugin default export is not a valid manifest (or array of manifests).', fix: 'Export { kind, apiVersion, description, configSchema, create }; see docs/plugin-authoring.md.' },
  DGP_ERR_PLUGIN_API_VERSION: { status: 500, summary: 'A plugin was written for another plugin API version.', fix: 'Upgrade the plugin or the gateway so that apiVersion matches.' },
  DGP_ERR_PLUGIN_CONFIG: { status: 500, summary: "A filter's or adapter's config does not match its configSchema.", fix: "Follow the hint; the plugin's README lists its options." },
  DGP_ERR_PLUGIN_CREATE: { status: 500, summary: "A plugin's create() threw.", fix: 'Read the cause; usually a config value the schema could not catch.' },
  DGP_ERR_PLUGIN_WRONG_TYPE: { status: 500, summary: 'A kind was used where another plugin type is expected (e.g. an adapter in http_filters).', fix: 'Move it to the right section.' },
  DGP_ERR_PLUGIN_DIR: { status: 500, summary: 'A plugin directory does not exist, or holds neither a package.json nor subfolders with one.', fix: 'Fix plugins.dirs or --plugin-dir: each is a plugin package or a folder of plugin packages.' },
  DGP_ERR_PLUGIN_PACKAGE: { status: 500, summary: "A plugin's package.json is unreadable, or its entry is missing or lies outside the package folder.", fix: 'Set "dgp": { "entry": "./index.js" } (or "main") to a file inside the package folder.' },
  DGP_ERR_PLUGIN_TIMEOUT: { status: 500, summary: "A plugin's create() did not settle within plugins.create_timeout (the load or reload fails), or its close()/stop() not within plugins.close_timeout (logged; shutdown goes on).", fix: 'Fix the plugin (a create() that waits on something unreachable), or raise plugins.create_timeout / plugins.close_timeout.' },
  DGP_ERR_PLUGIN_UNSAFE: { status: 500, summary: 'A plugin package or its entry is symlinked out of its plugin directory, or is writable by every user; it is refused.', fix: 'Copy the package into the plugin directory and chmod o-w it (or set plugins.allow_unsafe: true to load it with a warning).' },
  DGP_ERR_PLUGIN_INTEGRITY: { status: 500, summary: "plugins.integrity is set and a plugin package is not listed there, or its entry's sha256 differs from the pinned one; it is refused.", fix: 'Check the file was not tampered with; pin the new hash (sha256sum <entry>) under plugins.integrity.<folder>.' },
  // --- http ---
  DGP_ERR_HTTP_NO_ROUTE: { status: 404, summary: 'No route matches the request method, path and headers.', fix: 'Check route_config.routes: prefix/path, methods and header matchers.' },
  DGP_ERR_HTTP_BODY_TOO_LARGE: { status: 413, summary: 'The request body is larger than the listener allows.', fix: 'Send a smaller body or raise the listener config max_body_bytes.' },
  DGP_ERR_HTTP_MALFORMED: { status: 400, summary: 'The request is not valid HTTP/1.1 (bad framing, smuggling attempt, garbage bytes); the connection is closed.', fix: 'Fix the client; nothing reached a filter or an upstream.' },
  DGP_ERR_HTTP_HEADERS_TOO_LARGE: { status: 431, summary: 'The request headers exceed max_header_bytes.', fix: 'Send smaller headers or raise the listener config max_header_bytes.' },
  DGP_ERR_HTTP_TIMEOUT: { status: 408, summary: 'The request headers or body did not arrive within headers_timeout / read_timeout.', fix: 'Send the request faster, or raise the listener timeouts.' },
  DGP_ERR_HTTP_BAD_JSON: { status: 400, summary: 'The request body is not valid JSON.', fix: 'Send a JSON body with Content-Type: application/json.' },
  DGP_ERR_HTTP_BODY_READ: { status: 400, summary: 'The request body could not be read (client aborted or sent a malformed body).', fix: 'Retry the request; check the client.' },
  DGP_ERR_HTTP_FILTER_FAILED: { status: 500, summary: 'A filter hook threw; the request was answered with 500 and the stack was logged.', fix: 'Read the logged stack (reqId in the body) and fix or remove the filter.' },
  DGP_ERR_HTTP_SHUTTING_DOWN: { status: 503, summary: 'The gateway is shutting down and no longer accepts requests on this connection.', fix: 'Retry against another instance.' },
  DGP_ERR_HTTP_NO_RESPONSE: { status: 502, summary: 'The filter chain finished without any filter producing a response.', fix: 'Add dgp.filter.llm.proxy (or another terminal filter) to http_filters.' },
  DGP_ERR_HTTP_DECODE_TIMEOUT: { status: 504, summary: "The filter chain did not start a response within the connection manager's timeout; the request was answered with 504, its upstream aborted, and the filter that was running is named in the log.", fix: 'Fix or remove the filter named in the log, or raise the connection manager timeout (it bounds the time to the response head, not a stream already flowing).' },
  DGP_ERR_HTTP_SLOW_READER: { status: 408, summary: 'The client stopped reading a response for longer than the listener idle_timeout; its stream was closed and the upstream aborted.', fix: 'Read the response as it arrives, or raise the listener config idle_timeout.' },
  // --- admission (the gateway's own overload: 503, never a tenant's 429) ---
  DGP_ERR_ADMISSION_QUEUE_FULL: { status: 503, summary: 'Every concurrency slot (admission.max_concurrency, or the cluster\'s) was taken and the admission queue was full, or a higher-priority request took this one\'s place in it; refused at once with retry-after.', fix: 'Retry after the retry-after delay. The operator can raise max_concurrency or queue.max_length, or add instances.' },
  DGP_ERR_ADMISSION_QUEUE_TIMEOUT: { status: 503, summary: 'The request waited queue.max_wait in the admission queue without getting a concurrency slot; answered with retry-after.', fix: 'Retry after the retry-after delay. The operator can raise max_concurrency or queue.max_wait, or add instances.' },
  DGP_ERR_ADMISSION_SHED: { status: 503, summary: 'The V8 heap was above admission.shed_heap_fraction of its limit: the new request was refused before its body was read (requests in flight go on).', fix: 'Retry after the retry-after delay or against another instance. The operator can look for what holds memory, raise --max-old-space-size or the fraction.' },
  // --- upstream (dgp.filter.llm.proxy) ---
  DGP_ERR_UPSTREAM_UNAVAILABLE: { status: 503, summary: 'No upstream response at all: no healthy endpoint, all cooled down, connection refused or reset.', fix: 'Check the endpoints are up and reachable; see x-dgp-attempts and the access log for each attempt.' },
  DGP_ERR_UPSTREAM_TIMEOUT: { status: 504, summary: 'The upstream did not answer in time (connect, first byte, idle or deadline).', fix: 'Raise the proxy timeouts, or check the upstream.' },
  DGP_ERR_UPSTREAM_STREAM_CUT: { status: 502, summary: 'The upstream stream ended abnormally after the response started.', fix: 'Check the upstream; the client received an error event and an abrupt end.' },
  DGP_ERR_UPSTREAM_BAD_RESPONSE: { status: 502, summary: "The upstream's answer was not valid HTTP/1.1 (garbage after the status line, a broken chunk, a body that does not match its Content-Length) before any of it reached the client.", fix: 'Check the upstream (the message quotes the parser\'s reason); the attempt is recorded with error_type bad_response.' },
  DGP_ERR_UPSTREAM_EMPTY: { status: 502, summary: 'The upstream answered with an empty event stream.', fix: 'Check the upstream.' },
  DGP_ERR_UPSTREAM_NO_CLUSTER: { status: 503, summary: 'The route names a cluster that does not exist (yet: registry adapters may create it).', fix: 'Define the cluster or register endpoints for it.' },
  DGP_ERR_UPSTREAM_RETRY_POLICY: { status: 503, summary: "An endpoint's retry_policy is unknown or its config is invalid.", fix: 'Use NoRetry, CountBased or ExponentialBackoff with the documented config keys.' },
  DGP_ERR_UPSTREAM_ABORTED: { status: 499, summary: 'The client disconnected; the upstream request was cancelled and no further attempt was made.', fix: 'Nothing on the gateway side; check the client (timeouts, cancellations).' },
  // --- registry (dgp.adapter.llmregistrycenter: Nacos, etcd) ---
  DGP_ERR_REGISTRY_UNREACHABLE: { status: 503, summary: 'A Nacos or etcd registry did not answer (connection refused, timeout, 5xx); the last known endpoints stay registered.', fix: 'Check the registry address and that the server is up; GET /ready and dgp_registry_up show when it is back.' },
  DGP_ERR_REGISTRY_AUTH: { status: 503, summary: 'The registry refused the username/password or the access token.', fix: 'Fix username and password under registries.<name>; the user needs read access to the namespace or key prefix.' },
  DGP_ERR_REGISTRY_BAD_RESPONSE: { status: 503, summary: 'The registry answered with something that is not the documented Nacos or etcd JSON.', fix: 'Check that address points at the Nacos HTTP port (8848) or the etcd client URL (2379), not another service.' },
  DGP_ERR_REGISTRY_BAD_ENTRY: { status: 500, summary: 'One registered endpoint is invalid (an etcd value that is not EndpointInput JSON, a key outside the layout, a Nacos instance without metadata cluster); it is skipped.', fix: 'Fix the entry named in the log line; docs/registry.md shows the etcd key layout and the Nacos metadata keys.' },
  // --- stores (FactoryContext.store, dgp.adapter.store.memory, dgp.adapter.store.redis) ---
  DGP_ERR_ADAPTER_UNKNOWN: { status: 500, summary: 'A filter config names an adapter id that no adapter under static_resources.adapters has, or whose adapter is not of the kind the filter needs.', fix: 'Add the adapter under static_resources.adapters, or fix the id (the message lists the known ones of the right kind).' },
  DGP_ERR_STORE_UNKNOWN: { status: 500, summary: 'A filter config names a store id that no adapter under static_resources.adapters has, or whose adapter is not a store.', fix: 'Add {id: <id>, name: dgp.adapter.store.memory | dgp.adapter.store.redis} under static_resources.adapters, or fix the id (the message lists the known ones).' },
  DGP_ERR_STORE_UNAVAILABLE: { status: 503, summary: 'The store backend (Redis) is unreachable or did not answer within command_timeout; the call failed at once instead of waiting.', fix: 'Check the Redis address, password and that the server is up; GET /ready names the store while it is down. The calling filter decides whether to fail open or closed.' },
  // --- workers ---
  DGP_ERR_WORKER_QUEUE_FULL: { status: 503, summary: 'The worker pool queue is full.', fix: 'Raise workers.max_queue or workers.threads, or reduce load.' },
  DGP_ERR_WORKER_CRASHED: { status: 500, summary: 'A worker thread crashed while running a task; it was replaced.', fix: 'Read the logged cause; the task input may be malformed.' },
  DGP_ERR_WORKER_TASK: { status: 500, summary: 'A worker task failed.', fix: 'Read the cause.' },
  DGP_ERR_WORKER_UNKNOWN_TASK: { status: 500, summary: 'The worker pool was asked to run a task it does not have.', fix: 'Use one of: tokenize, countChatTokens, hash, prefixHashes, regexSpans.' },
  DGP_ERR_WORKER_ENCODING: { status: 500, summary: 'A tokenizer encoding name is unknown, or a tokenizer.json file cannot be read or parsed.', fix: 'Use cl100k_base, o200k_base (or another tiktoken encoding), or a path to a readable Hugging Face tokenizer.json.' },
  DGP_ERR_WORKER_CLOSED: { status: 503, summary: 'A task was submitted to a worker pool that is closed.', fix: 'The process is shutting down; retry against another instance.' },
  // --- sse ---
  DGP_ERR_SSE_INVALID_FIELD: { status: 500, summary: 'An SSE event to serialize has an event or id with a line break or NUL, or a bad retry value.', fix: 'Put multi-line text in data only; retry must be a non-negative integer.' },
  // --- reload / admin / cli ---
  DGP_ERR_RELOAD_FAILED: { status: 500, summary: 'A reload failed; the previous generation keeps serving.', fix: 'Fix the reported error; GET /config shows last_reload.' },
  DGP_ERR_LISTEN: { status: 500, summary: 'A listener address could not be bound (in use or not permitted).', fix: 'Free the port or change socket_address.' },
  DGP_ERR_ADMIN_UNAUTHORIZED: { status: 401, summary: 'An admin request lacks the admin token, or carries a wrong one (admin.token is set).', fix: 'Send Authorization: Bearer <admin.token> (or X-Admin-Token); /health and /ready need none.' },
  DGP_ERR_ADMIN_HOST: { status: 421, summary: "The admin request's Host header names neither the admin address, a loopback name nor one of admin.allowed_hosts (a DNS-rebinding guard).", fix: 'Call the admin listener by its IP address or localhost, or add the name to admin.allowed_hosts.' },
  DGP_ERR_ADMIN_CROSS_SITE: { status: 403, summary: 'A state-changing admin request without the admin token was not JSON, or came from a foreign Origin (a cross-site form post).', fix: 'Send Content-Type: application/json, or the admin token; a browser page on another origin cannot change the gateway.' },
  DGP_ERR_ADMIN_TOKEN_REQUIRED: { status: 500, summary: 'The admin listener is bound to a non-loopback address without admin.token, or admin.token is shorter than 16 characters.', fix: 'Set admin.token (e.g. token: ${DGP_ADMIN_TOKEN}) to a random string of 16+ characters, or bind admin.address to 127.0.0.1.' },
  DGP_ERR_ADMIN_NOT_FOUND: { status: 404, summary: 'No admin endpoint or plugin admin route has this path (or not for this method: 405).', fix: 'GET / on the admin listener lists every endpoint.' },
  DGP_ERR_ADMIN_ROUTE_CONFLICT: { status: 500, summary: 'Two plugins mount the same admin route (method and path), or a plugin claims a host endpoint.', fix: 'Remove one of the two plugins named in the message, or configure one to use other paths.' },
  DGP_ERR_ADMIN_ROUTE_INVALID: { status: 500, summary: "A plugin's fctx.admin.route() call has a bad method, path, auth or handler, or came after create() finished.", fix: 'Fix the plugin: see docs/plugin-authoring.md, "Admin routes".' },
  DGP_ERR_ADMIN_ROUTE_FAILED: { status: 500, summary: "A plugin admin route's handler threw an error without a code (a bug); the stack is logged.", fix: "Read the logged stack and fix the plugin's handler." },
  DGP_ERR_ADMIN_UNAVAILABLE: { status: 503, summary: 'With --workers N, no worker was ready to answer a plugin admin route.', fix: 'Retry shortly; GET /ready shows the workers.' },
  DGP_ERR_CLI_USAGE: { status: 500, summary: 'The command line is wrong.', fix: 'Run dgp --help.' },
  DGP_ERR_INTERNAL: { status: 500, summary: 'An unexpected internal error.', fix: 'Report it with the logged stack.' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface DgpErrorOptions {
  status?: number;
  hint?: string;
  cause?: unknown;
  /** Extra structured detail (file, line, pointer, attempts...). */
  details?: Record<string, unknown>;
}

/** A coded error: `code` is DGP_ERR_* (or a plugin's prefixed code), `status` applies when it becomes a reply. */
export class DgpError extends Error {
  readonly code: string;
  readonly status: number;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode | (string & {}), message: string, opts: DgpErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DgpError';
    this.code = code;
    const known = (ERROR_CODES as Record<string, ErrorCodeInfo>)[code] ?? pluginCodes().get(code);
    this.status = opts.status ?? known?.status ?? 500;
    this.hint = opts.hint;
    this.details = opts.details;
  }
}

/** A plugin-owned code as registered by defineErrorCode; `owner` names the kind or layer that raises it. */
export interface PluginErrorCodeInfo extends ErrorCodeInfo {
  readonly owner: string | undefined;
}

/** A factory for one plugin-owned code; `code` and `status` are readable for tests and docs. */
export interface ErrorCodeFactory {
  (message: string, opts?: Omit<DgpErrorOptions, 'status'>): DgpError;
  readonly code: string;
  readonly status: number;
}

/**
 * The registry lives on globalThis, not in this module: a plugin that bundles its own copy of the SDK still registers
 * where the host (and `npm run gen:errors`) reads.
 */
const PLUGIN_CODES = Symbol.for('dgp-gateway.plugin-error-codes');

function pluginCodes(): Map<string, PluginErrorCodeInfo> {
  const g = globalThis as { [PLUGIN_CODES]?: Map<string, PluginErrorCodeInfo> };
  return (g[PLUGIN_CODES] ??= new Map());
}

/** Every plugin-owned code registered so far (those of every plugin module loaded in this process). */
export function registeredErrorCodes(): ReadonlyMap<string, PluginErrorCodeInfo> {
  return pluginCodes();
}

/**
 * Defines (and registers) one plugin-owned code: `const E = defineErrorCode('MYPLUGIN_ERR_X', 400, { summary, fix });
 * throw E('msg')`. Host codes cannot be redefined; defining the same code again (a reloaded plugin) replaces it.
 */
export function defineErrorCode(code: string, status: number, info: { summary?: string; fix?: string; owner?: string } = {}): ErrorCodeFactory {
  if (Object.hasOwn(ERROR_CODES, code)) throw new TypeError(`defineErrorCode: ${code} is a host error code`);
  pluginCodes().set(code, { status, summary: info.summary ?? '', fix: info.fix ?? '', owner: info.owner });
  const factory = (message: string, opts: Omit<DgpErrorOptions, 'status'> = {}) => new DgpError(code, message, { ...opts, status });
  return Object.assign(factory, { code, status });
}

export function isDgpError(err: unknown): err is DgpError {
  return err instanceof DgpError || (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'DgpError');
}
