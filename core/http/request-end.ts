// What happens once a request has ended (or was answered before any filter ran): the dgp_http_* series, the
// request's spans and audit record, and its access-log line. The connection manager calls it from the request's
// finally, after the chain's onComplete hooks, so streams are over and usage is final.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { LocalReplyRequest } from '../plugin-api.js';
import { AccessLogFields, RequestTraceAttr, SelectedEndpoint, UpstreamAttempts } from '../attributes.js';
import type { DgpError } from '../errors.js';
import { AccessLog } from '../observability/access-log.js';
import { earlyRecord, requestRecord } from '../observability/audit/request-record.js';
import type { RequestEnd } from '../observability/request-observers.js';
import type { RequestTrace } from '../observability/tracing/request-trace.js';
import type { CounterCell, HistogramCell } from '../observability/counter-cells.js';
import type { Context } from './context.js';
import type { HcmOptions } from './hcm.js';
import type { LocalReplies } from './local-reply.js';
import type { WriteResult } from './respond.js';

export class RequestEnds {
  private readonly accessLog: AccessLog;
  private readonly series = new Map<string, { requests: CounterCell; duration: HistogramCell }>();

  constructor(
    private readonly o: Pick<HcmOptions, 'listener' | 'accessLog' | 'log' | 'metrics' | 'audit' | 'draining'>,
    private readonly replies: LocalReplies,
  ) {
    this.accessLog = new AccessLog(o.log);
  }

  finish(ctx: Context, result: WriteResult, override?: number): void {
    const durationMs = performance.now() - ctx.startedAt;
    const status = override ?? (ctx.aborted ? 499 : result.error ? 502 : ctx.response.status);
    this.count(ctx.route.id, status, durationMs);
    const rt = ctx.get(RequestTraceAttr) as RequestTrace | undefined;
    if (rt !== undefined || this.o.audit !== undefined) this.record(ctx, rt, status, durationMs);
    if (!this.o.accessLog) return;
    this.accessLog.writeRequest(
      {
        reqId: ctx.id,
        route: ctx.route.id,
        method: ctx.request.method,
        path: ctx.request.path,
        cluster: ctx.route.cluster,
        endpoint: ctx.get(SelectedEndpoint)?.id,
        status,
        upstream_status: ctx.aborted ? ctx.response.status || undefined : undefined,
        bytes: result.bytes,
        durationUs: Math.round(durationMs * 1000),
        attempts: ctx.get(UpstreamAttempts)?.length,
        trace_id: rt?.traceId,
      },
      ctx.get(AccessLogFields),
    );
  }

  /** The request's spans end and its audit record is queued: the chain's onComplete hooks ran, the stream is over. */
  private record(ctx: Context, rt: RequestTrace | undefined, status: number, durationMs: number): void {
    const body = ctx.response.body;
    const end: RequestEnd = { status, errorCode: ctx.errorCode, streamed: body !== undefined && !Buffer.isBuffer(body), durationMs };
    const failed = (err: unknown): void => ctx.log.error({ err }, 'ending the request\'s spans or writing its audit record failed');
    // Runs in the request's finally: a fault here is logged, never an unhandled rejection.
    try {
      rt?.finish(ctx, end, failed);
      const audit = this.o.audit;
      if (audit !== undefined) audit.write(requestRecord(ctx, end, audit.env, rt?.traceId, failed));
    } catch (err) {
      failed(err);
    }
  }

  /** dgp_http_* for one answered request; the labels and counter cell are built once per route and status. */
  private count(route: string, status: number, durationMs: number): void {
    const key = `${route}\u0000${status}`;
    let series = this.series.get(key);
    if (series === undefined) {
      const labels = { listener: this.o.listener, route, status: String(status) };
      series = { requests: this.o.metrics.httpRequestCells.cell(labels), duration: this.o.metrics.httpDurationCells.cell(labels) };
      if (this.series.size >= 1024) this.series.clear();
      this.series.set(key, series);
    }
    series.requests.add(1);
    series.duration.observe(durationMs / 1000);
  }

  /** A reply before any filter runs (no route, 413): still rendered by the listener's renderers, from the request line. */
  localError(req: IncomingMessage, res: ServerResponse, id: string, url: string, path: string, err: DgpError, startedAt: number, route: string): void {
    const q = url.indexOf('?');
    const view: LocalReplyRequest = { id, request: { method: req.method ?? 'GET', path, query: q < 0 ? '' : url.slice(q + 1), headers: req.headers } };
    const r = this.replies.render(view, err);
    const body = r.body;
    res.statusCode = r.status;
    for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
    res.setHeader('content-length', body.length);
    res.setHeader('x-request-id', id);
    if (this.o.draining() || !res.shouldKeepAlive) res.setHeader('connection', 'close');
    res.end(body);
    const durationMs = performance.now() - startedAt;
    this.count(route, r.status, durationMs);
    this.o.audit?.write(earlyRecord(id, req.method ?? 'GET', path, route, r.status, err.code, durationMs));
    if (this.o.accessLog) {
      this.accessLog.write({ reqId: id, route, type: 'access', method: req.method, path, status: r.status, code: err.code, bytes: body.length, duration_ms: Math.round(durationMs * 1000) / 1000 });
    }
  }
}
