// The plugin side of admin routes (part of the SDK): a plugin mounts JSON handlers on the admin listener through
// `fctx.admin.route(...)` during create(). Rules:
// - Routes belong to the generation whose create() mounted them: a reload swaps the whole set at once; a plugin that
//   leaves the config takes its routes with it. route() MUST be called before create() resolves.
// - Paths are `/admin/v1/<segments>` or declared top-level aliases (e.g. LiteLLM's `/key/generate`); `:name` segments
//   capture. Two plugins claiming the same method and path fail the load (DGP_ERR_ADMIN_ROUTE_CONFLICT); a plugin
//   created more than once in a generation (several listeners) keeps its first registration of a path.
// - The host's guard (Host check, cross-site check, admin token) runs before the handler; see `auth`.
// - Handlers MUST NOT keep state in the worker process that other requests rely on: with `--workers N` any one
//   worker answers a call. Shared state belongs in a store.
import type { IncomingHttpHeaders } from 'node:http';

export type AdminRouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * - `admin` (default): the admin token (when `admin.token` is set) is required, as for the host's own endpoints.
 * - `master-key`: the route authenticates its caller itself (e.g. `Authorization: Bearer <master key>`, compared by
 *   the plugin in constant time); the host only requires that an Authorization header is present. A caller that sent
 *   the admin token instead is flagged `adminToken: true`, and the plugin may accept it.
 * - `open`: no credential at all (the Host and cross-site checks still apply).
 */
export type AdminRouteAuth = 'admin' | 'master-key' | 'open';

export interface AdminRouteRequest {
  readonly method: AdminRouteMethod;
  /** The request path without the query. */
  readonly path: string;
  /** Values of the route's `:name` segments. */
  readonly params: Readonly<Record<string, string>>;
  /** Query parameters (the last value of a repeated name). */
  readonly query: Readonly<Record<string, string>>;
  /** Lower-cased names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when the body was empty. */
  readonly body: unknown;
  /** True when the caller presented the valid admin token. */
  readonly adminToken: boolean;
  /** The peer address of the admin connection (null when unknown); for audit records, not for access control. */
  readonly remoteAddress: string | null;
}

export interface AdminRouteResponse {
  /** Default 200. */
  status?: number;
  /** JSON-serialised; omitted means an empty object. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface AdminRouteSpec {
  method: AdminRouteMethod;
  /** `/admin/v1/...` or a top-level alias; exact segments, `:name` captures one segment. */
  path: string;
  /** Default 'admin'. */
  auth?: AdminRouteAuth;
  /** Largest accepted JSON body; default and ceiling 1 MiB. A larger one gets 413. */
  maxBodyBytes?: number;
  /** A one-line description, shown by GET / on the admin listener. */
  description?: string;
  /** May throw a DgpError: its status and code become the JSON error reply `{error: {message, code}}`. */
  handler(req: AdminRouteRequest): AdminRouteResponse | Promise<AdminRouteResponse>;
}

export interface AdminRouteApi {
  /** Mounts a route for the generation being created; throws DGP_ERR_ADMIN_ROUTE_INVALID on a malformed spec. */
  route(spec: AdminRouteSpec): void;
}

/** What GET / on the admin listener shows for one route. */
export interface AdminRouteInfo {
  method: AdminRouteMethod;
  path: string;
  auth: AdminRouteAuth;
  kind: string;
  description?: string;
}
