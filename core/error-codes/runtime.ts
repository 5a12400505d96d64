// The host's error codes for its own machinery: the worker pool (DGP_ERR_WORKER_*), SSE serialization, reloads,
// listeners, the admin API and the command line. Part of the registry in core/errors.ts.
import type { ErrorCodeInfo } from '../errors.js';

export const RUNTIME_ERROR_CODES = {
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
