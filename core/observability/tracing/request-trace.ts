// The spans of one sampled request: its SERVER span and a CLIENT span per upstream attempt (so retries and fallbacks
// show). A failed attempt's span ends with the attempt; the span of the attempt whose answer was returned stays open
// until the answer's stream ended, so it carries the final usage. Filters reach it as the RequestTraceAttr attribute;
// span context is per-request state only, never kept on shared objects.
import type { AttemptSpanApi, RequestTraceApi, UpstreamAttempt } from '../../attributes.js';
import type { RequestContext } from '../../plugin-api.js';
import type { OutgoingHeaders } from '../../upstream/headers.js';
import { requestObservers, type RequestEnd, type SpanAttributeValue } from '../request-observers.js';
import { RecordedSpan, SPAN_KIND_CLIENT, type SpanSink } from './span.js';

interface TracingHandle {
  readonly export: SpanSink;
  readonly propagate: boolean;
}

/** The attempt's span and what ends it, as one object (no closure per attempt). */
class AttemptSpan implements AttemptSpanApi {
  constructor(
    private readonly rt: RequestTrace,
    readonly span: RecordedSpan,
  ) {}

  end(a: UpstreamAttempt): void {
    const span = this.span;
    span.set('dgp.endpoint', a.endpoint_id);
    if (a.status > 0) span.set('http.response.status_code', a.status);
    if (a.success) {
      this.rt.committed = span;
      return;
    }
    span.set('error.type', a.status > 0 ? String(a.status) : a.error_type || 'error');
    span.fail(a.error_type);
    span.end();
  }
}

export class RequestTrace implements RequestTraceApi {
  readonly traceId: string;
  /** The CLIENT span of the attempt whose answer was returned. */
  committed: RecordedSpan | undefined;

  constructor(
    private readonly t: TracingHandle,
    private readonly server: RecordedSpan,
  ) {
    this.traceId = server.traceId;
  }

  set(name: string, value: SpanAttributeValue): void {
    this.server.set(name, value);
  }

  startAttempt(headers: OutgoingHeaders, name: string, attributes: Record<string, SpanAttributeValue>): AttemptSpanApi {
    const span = new RecordedSpan(this.t.export, this.traceId, this.server.spanId, name, SPAN_KIND_CLIENT, performance.now());
    for (const k in attributes) span.set(k, attributes[k]!);
    if (this.t.propagate) headers.traceparent = `00-${this.traceId}-${span.spanId}-01`;
    return new AttemptSpan(this, span);
  }

  /** The request is over: the observers add their attributes, then the CLIENT span of the answer and the SERVER span end. */
  finish(ctx: RequestContext, end: RequestEnd, log: (err: unknown) => void): void {
    const server = this.server;
    const committed = this.committed;
    const set = (name: string, value: SpanAttributeValue): void => {
      server.set(name, value);
      committed?.set(name, value);
    };
    for (const o of requestObservers()) {
      try {
        o.span?.(ctx, end, set);
      } catch (err) {
        log(err);
      }
    }
    server.set('http.response.status_code', end.status);
    if (end.errorCode !== undefined) server.set('dgp.error.code', end.errorCode);
    if (end.status >= 500) {
      server.set('error.type', String(end.status));
      server.fail(undefined);
    }
    committed?.end();
    server.end();
  }
}
