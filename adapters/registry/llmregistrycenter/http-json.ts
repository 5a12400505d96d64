// The registry clients' one HTTP call: a JSON (or form) request with a deadline, mapped to coded errors — unreachable
// (connection failures, timeouts, 5xx), auth (401/403) or bad response (a body that is not the JSON we expect).
import { Agent, request, type Dispatcher } from 'undici';
import { DgpError } from '../../../core/index.js';

export interface HttpCall {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResult {
  status: number;
  text: string;
}

/** A keep-alive agent per registry, closed when the adapter stops. */
export function registryAgent(): Agent {
  return new Agent({ keepAliveTimeout: 4_000, connections: 8 });
}

export async function httpCall(agent: Dispatcher, call: HttpCall): Promise<HttpResult> {
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline;
  try {
    const res = await request(call.url, {
      dispatcher: agent,
      method: call.method,
      headers: call.headers,
      body: call.body,
      signal,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
    });
    const text = await res.body.text();
    return { status: res.statusCode, text };
  } catch (cause) {
    const what = deadline.aborted ? `timed out after ${call.timeoutMs} ms` : (cause as Error).message;
    throw unreachable(`${call.method} ${redactUrl(call.url)} failed: ${what}`, cause);
  }
}

export function unreachable(message: string, cause?: unknown): DgpError {
  return new DgpError('DGP_ERR_REGISTRY_UNREACHABLE', message, { cause, hint: 'the last known endpoints stay registered' });
}

export function badResponse(message: string): DgpError {
  return new DgpError('DGP_ERR_REGISTRY_BAD_RESPONSE', message);
}

export function authFailed(message: string): DgpError {
  return new DgpError('DGP_ERR_REGISTRY_AUTH', message);
}

/** Parses a JSON object body, or throws DGP_ERR_REGISTRY_BAD_RESPONSE quoting the start of the body. */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badResponse(`${what}: expected a JSON object, got ${JSON.stringify(text.slice(0, 120))}`);
  }
  return value as Record<string, unknown>;
}

/** True for failures worth trying the next server for (as opposed to auth or protocol errors). */
export function isUnreachable(err: unknown): boolean {
  return err instanceof DgpError && err.code === 'DGP_ERR_REGISTRY_UNREACHABLE';
}

/** Access tokens travel in Nacos query strings: never log them. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]accessToken=)[^&]*/g, '$1<redacted>').replace(/([?&]password=)[^&]*/g, '$1<redacted>');
}
