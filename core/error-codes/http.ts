// The host's error codes for serving requests: listeners, routes and request framing (DGP_ERR_HTTP_*) and admission
// control, the gateway's own overload (DGP_ERR_ADMISSION_*). Part of the registry in core/errors.ts.
import type { ErrorCodeInfo } from '../errors.js';

export const HTTP_ERROR_CODES = {
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
} as const satisfies Record<string, ErrorCodeInfo>;
