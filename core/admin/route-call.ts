// Runs one plugin admin route for a call that already passed the listener's guard: the route's own auth, the body
// limit, JSON parsing, the handler, and every error as `{error: {message, code}}`. A call and its reply are plain
// JSON, so a multi-core primary can hand them to a worker over IPC unchanged.
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { DgpError, isDgpError } from '../errors.js';
import type { AdminRouteMethod, AdminRouteResponse } from './route-api.js';
import type { AdminRouteTable } from './route-table.js';

export interface AdminCall {
  method: string;
  path: string;
  /** Raw query string without `?`. */
  query: string;
  headers: IncomingHttpHeaders;
  /** The raw body (UTF-8), already bounded by the listener. */
  body: string;
  /** The caller presented the valid admin token. */
  authenticated: boolean;
  /** admin.token is set. */
  tokenRequired: boolean;
  /** The peer address of the admin connection. */
  remoteAddress?: string | null;
}

export interface AdminReply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export const errorBody = (err: DgpError): { error: { message: string; code: string } } => ({ error: { message: err.message, code: err.code } });
const fail = (err: DgpError, headers?: Record<string, string>): AdminReply => ({ status: err.status ?? 500, body: errorBody(err), ...(headers ? { headers } : {}) });

export async function callAdminRoute(table: AdminRouteTable, call: AdminCall, log: Logger): Promise<AdminReply> {
  const found = table.match(call.method, call.path);
  if (!found.entry) {
    if (found.allowed.length > 0) {
      return fail(new DgpError('DGP_ERR_ADMIN_NOT_FOUND', `${call.method} not allowed on ${call.path} (allowed: ${found.allowed.join(', ')})`, { status: 405 }), { allow: found.allowed.join(', ') });
    }
    return fail(new DgpError('DGP_ERR_ADMIN_NOT_FOUND', `no admin endpoint ${call.path}; GET / lists them`));
  }
  const { entry, params } = found;
  if (entry.auth === 'admin' && call.tokenRequired && !call.authenticated) {
    return fail(new DgpError('DGP_ERR_ADMIN_UNAUTHORIZED', `${call.path} needs the admin token: send Authorization: Bearer <admin.token>`), { 'www-authenticate': 'Bearer' });
  }
  if (entry.auth === 'master-key' && !call.authenticated && !call.headers.authorization) {
    return fail(new DgpError('DGP_ERR_ADMIN_UNAUTHORIZED', `${call.path} needs a key: send Authorization: Bearer <master key>`), { 'www-authenticate': 'Bearer' });
  }
  if (Buffer.byteLength(call.body) > entry.maxBodyBytes) {
    return fail(new DgpError('DGP_ERR_HTTP_BODY_TOO_LARGE', `the body is larger than the ${entry.maxBodyBytes} bytes ${call.path} accepts`));
  }
  let body: unknown;
  if (call.body.trim() !== '') {
    try {
      body = JSON.parse(call.body);
    } catch (cause) {
      return fail(new DgpError('DGP_ERR_HTTP_BAD_JSON', `the body is not valid JSON: ${(cause as Error).message}`, { cause }));
    }
  }
  let res: AdminRouteResponse;
  try {
    res = await entry.handler({
      method: entry.method as AdminRouteMethod,
      path: call.path,
      params,
      query: Object.fromEntries(new URLSearchParams(call.query)),
      headers: call.headers,
      body,
      adminToken: call.authenticated,
      remoteAddress: call.remoteAddress ?? null,
    });
  } catch (err) {
    if (isDgpError(err)) return fail(err);
    log.error({ err, kind: entry.kind, path: call.path }, 'admin route handler failed');
    return fail(new DgpError('DGP_ERR_ADMIN_ROUTE_FAILED', `${entry.kind}: ${entry.method} ${entry.path} failed: ${(err as Error)?.message ?? String(err)}`));
  }
  const status = res?.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    log.error({ kind: entry.kind, path: call.path, status }, 'admin route handler returned an invalid status');
    return fail(new DgpError('DGP_ERR_ADMIN_ROUTE_FAILED', `${entry.kind}: ${entry.method} ${entry.path} returned status ${String(status)}`));
  }
  return { status, body: res.body ?? {}, ...(res.headers ? { headers: res.headers } : {}) };
}
