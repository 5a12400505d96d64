// The host's error codes for what lies behind the gateway: upstream calls (DGP_ERR_UPSTREAM_*), registry adapters
// (DGP_ERR_REGISTRY_*), adapters and stores (DGP_ERR_ADAPTER_*, DGP_ERR_STORE_*). Part of the registry in
// core/errors.ts.
import type { ErrorCodeInfo } from '../errors.js';

export const UPSTREAM_ERROR_CODES = {
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
} as const satisfies Record<string, ErrorCodeInfo>;
