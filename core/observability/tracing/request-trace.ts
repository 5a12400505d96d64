// The spans of one sampled request: its SERVER span and a CLIENT span per upstream attempt (so retries and fallbacks
// show). A failed attempt's span ends with the attempt; the span of the attempt whose answer was returned stays open
// until the answer's stream ended, so it carries the final usage. Filters reach it as the RequestTraceAttr attribute;
// span context is per-request state only, never kept on shared objects.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { AttemptSpanApi, RequestTraceApi, UpstreamAttempt } from '../../attributes.js';
import type { RequestContext } from '../../plugin-api.js';
import type { OutgoingHeaders } from '../../upstream/headers.js';
import { requestObservers, type RequestEnd, type SpanAttributeValue } from '../request-observers.js';

interface TracingHandle {
  readonly tracer: Tracer;
  readonly propagate: boolean;
}

export class RequestTrace implements RequestTraceApi {
  readonly traceId: string;
  #committed: Span | undefined;

  constructor(
    private readonly t: TracingHandle,
    private readonly server: Span,
  ) {
    this.traceId = server.spanContext().traceId;
  }

  set(name: string, value: SpanAttributeValue): void {
    this.server.setAttribute(name, value);
  }

  startAttempt(headers: OutgoingHeaders, name: string, attributes: Record<string, SpanAttributeValue>): AttemptSpanApi {
    const span = this.t.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, trace.setSpan(ROOT_CONTEXT, this.server));
    if (this.t.propagate) {
      const sc = span.spanContext();
      headers.traceparent = `00-${sc.traceId}-${sc.spanId}-01`;
    }
    return {
      end: (a: UpstreamAttempt): void => {
        span.setAttribute('dgp.endpoint', a.endpoint_id);
        if (a.status > 0) span.setAttribute('http.response.status_code', a.status);
        if (a.success) {
          this.#committed = span;
          return;
        }
        span.setAttribute('error.type', a.status > 0 ? String(a.status) : a.error_type || 'error');
        span.setStatus({ code: SpanStatusCode.ERROR, message: a.error_type });
        span.end();
      },
    };
  }

  /** The request is over: the observers add their attributes, then the CLIENT span of the answer and the SERVER span end. */
  finish(ctx: RequestContext, end: RequestEnd, log: (err: unknown) => void): void {
    const server = this.server;
    const committed = this.#committed;
    const set = (name: string, value: SpanAttributeValue): void => {
      server.setAttribute(name, value);
      committed?.setAttribute(name, value);
    };
    for (const o of requestObservers()) {
      try {
        o.span?.(ctx, end, set);
      } catch (err) {
        log(err);
      }
    }
    server.setAttribute('http.response.status_code', end.status);
    if (end.errorCode !== undefined) server.setAttribute('dgp.error.code', end.errorCode);
    if (end.status >= 500) {
      server.setAttribute('error.type', String(end.status));
      server.setStatus({ code: SpanStatusCode.ERROR });
    }
    committed?.end();
    server.end();
  }
}
