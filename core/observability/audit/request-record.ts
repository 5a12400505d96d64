// The audit record of one request: the host's fields (who asked what route, what came back, how long it took, which
// upstream attempts ran), then every registered observer's fields (the LLM layer's: key, models, tokens, cost).
import { createHmac, createSecretKey, randomUUID } from 'node:crypto';
import { SelectedEndpoint, UpstreamAttempts } from '../../attributes.js';
import type { RequestContext } from '../../plugin-api.js';
import { requestObservers, type AuditRecordEnv, type RequestEnd } from '../request-observers.js';

export const AUDIT_RECORD_VERSION = 1;

export interface AuditSettings {
  hmac_secret: string;
  bodies: AuditRecordEnv['bodies'];
  maxBodyBytes: number;
}

export function auditEnv(s: AuditSettings): AuditRecordEnv {
  // The key as a KeyObject, made once: createHmac with a string secret encodes and imports it on every request.
  const key = s.hmac_secret === '' ? undefined : createSecretKey(Buffer.from(s.hmac_secret, 'utf8'));
  return {
    hmac: key === undefined ? () => undefined : (data) => `hmac-sha256:${createHmac('sha256', key).update(data).digest('hex')}`,
    bodies: s.bodies,
    maxBodyBytes: s.maxBodyBytes,
  };
}

const ms = (v: number): number => Math.round(v * 1000) / 1000;

/** The host's part of the record, then the observers'. `traceId` is the request's trace when it has one. */
export function requestRecord(ctx: RequestContext, end: RequestEnd, env: AuditRecordEnv, traceId: string | undefined, log: (err: unknown) => void): Record<string, unknown> {
  const attempts = ctx.get(UpstreamAttempts);
  const selected = ctx.get(SelectedEndpoint);
  let upstreamMs: number | null = null;
  let retries = 0;
  const fallbacks: string[] = [];
  if (attempts !== undefined && attempts.length > 0) {
    upstreamMs = 0;
    for (let i = 0; i < attempts.length; i++) {
      const a = attempts[i]!;
      upstreamMs += a.duration_ms;
      if (i === 0) continue;
      if (a.endpoint_id === attempts[i - 1]!.endpoint_id) retries++;
      else fallbacks.push(a.endpoint_id);
    }
  }
  const record: Record<string, unknown> = {
    v: AUDIT_RECORD_VERSION,
    kind: 'request',
    ts: new Date(Date.now() - end.durationMs).toISOString(),
    record_id: randomUUID(),
    request_id: ctx.id,
    trace_id: traceId ?? null,
    listener: ctx.route.listener,
    route: ctx.route.id,
    method: ctx.request.method,
    endpoint: ctx.request.path,
    cluster: ctx.route.cluster || null,
    upstream: selected?.id ?? null,
    stream: end.streamed,
    status: end.status,
    outcome: end.status < 400 ? 'ok' : 'error',
    error_type: end.errorCode ?? null,
    latency_ms: { total: ms(end.durationMs), ttft: null, upstream: upstreamMs === null ? null : ms(upstreamMs) },
    attempts: attempts?.length ?? 0,
    retries,
    fallbacks,
  };
  for (const o of requestObservers()) {
    try {
      o.audit?.(ctx, end, record, env);
    } catch (err) {
      // A faulty observer costs its own fields, never the record.
      log(err);
    }
  }
  return record;
}

/** The record of a request answered before any filter ran (no route, a refused request, load shedding). */
export function earlyRecord(id: string, method: string, path: string, route: string, status: number, code: string, durationMs: number): Record<string, unknown> {
  return {
    v: AUDIT_RECORD_VERSION,
    kind: 'request',
    ts: new Date(Date.now() - durationMs).toISOString(),
    record_id: randomUUID(),
    request_id: id,
    trace_id: null,
    route,
    method,
    endpoint: path,
    status,
    outcome: 'error',
    error_type: code,
    latency_ms: { total: ms(durationMs), ttft: null, upstream: null },
    attempts: 0,
  };
}

/** An admin action: who did what to which target, and how it ended. */
export function adminRecord(fields: { action: string; actor: string; target: string; status: number; ok: boolean; detail?: Record<string, unknown> }): Record<string, unknown> {
  return {
    v: AUDIT_RECORD_VERSION,
    kind: 'admin',
    ts: new Date().toISOString(),
    record_id: randomUUID(),
    action: fields.action,
    actor: fields.actor,
    target: fields.target,
    status: fields.status,
    outcome: fields.ok ? 'ok' : 'error',
    ...(fields.detail !== undefined ? { detail: fields.detail } : {}),
  };
}
