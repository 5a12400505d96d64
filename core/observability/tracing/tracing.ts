// OpenTelemetry traces: one tracer per deep-equal `tracing:` config, a host service shared across reloads and shut
// down (flushed) when no generation uses it. Sampling is decided here before any span exists — parent-based: a
// client's sampled traceparent is followed, an unsampled one never; a new trace is sampled with probability `ratio` —
// so an unsampled request allocates no span at all. Spans are recorded by dgp itself and exported as OTLP/HTTP
// protobuf (span.ts, otlp-proto.ts, otlp-export.ts): with the OpenTelemetry JS SDK and its OTLP/JSON exporter a
// sampled request cost ~40–60 µs more CPU, as much as half the default chain (docs/performance.md).
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { TracingConfig } from '../../config/types.js';
import type { MatchedRoute } from '../../plugin-api.js';
import { defineService } from '../../services/define.js';
import { OtlpHttpExport } from './otlp-export.js';
import { RequestTrace } from './request-trace.js';
import { RecordedSpan, SPAN_KIND_SERVER, randomHexId } from './span.js';

/** W3C trace context: version 00 (later versions are read by the same prefix rule), ids not all zero. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export interface ParentContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

export function parseTraceparent(v: string | string[] | undefined): ParentContext | undefined {
  if (typeof v !== 'string') return undefined;
  const m = TRACEPARENT.exec(v.trim());
  if (m === null || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return undefined;
  const traceId = m[2]!;
  const spanId = m[3]!;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(m[4]!, 16) & 1) === 1 };
}

export class Tracing {
  readonly ratio: number;
  readonly propagate: boolean;
  readonly export: OtlpHttpExport;

  constructor(config: TracingConfig, dropped: Counter, failed: Counter, log: Logger) {
    this.ratio = config.ratio;
    this.propagate = config.propagate_to_upstream;
    this.export = new OtlpHttpExport(
      {
        url: config.exporter.endpoint,
        headers: config.exporter.headers,
        timeout: config.exporter.timeout,
        maxQueue: config.batch.max_queue,
        maxBatch: Math.min(config.batch.max_export_batch, config.batch.max_queue),
        delay: config.batch.schedule_delay,
        serviceName: config.service_name,
        scopeName: 'dgp-gateway',
        limit: config.attribute_value_limit,
      },
      dropped,
      failed,
      log,
    );
  }

  /**
   * The request's trace when it is sampled; undefined otherwise (nothing allocated beyond parsing a client's header).
   * `startedAt` is the request's performance.now() arrival.
   */
  startServer(traceparent: string | string[] | undefined, method: string, path: string, route: MatchedRoute, requestId: string, startedAt: number): RequestTrace | undefined {
    const parent = traceparent === undefined ? undefined : parseTraceparent(traceparent);
    if (parent !== undefined ? !parent.sampled : this.ratio <= 0 || (this.ratio < 1 && Math.random() >= this.ratio)) return undefined;
    const span = new RecordedSpan(this.export, parent?.traceId ?? randomHexId(16), parent?.spanId, `${method} ${path}`, SPAN_KIND_SERVER, startedAt);
    span.set('http.request.method', method);
    span.set('url.path', path);
    span.set('dgp.route', route.id);
    span.set('dgp.listener', route.listener);
    span.set('dgp.request_id', requestId);
    return new RequestTrace(this, span);
  }

  /** Exports the spans queued so far. */
  flush(): Promise<void> {
    return this.export.flush();
  }

  async close(): Promise<void> {
    await this.export.close();
  }
}

export const tracingService = defineService<Tracing, TracingConfig>({
  name: 'dgp.tracing',
  create: (config, ctx) =>
    new Tracing(
      config,
      ctx.metrics.counter({ name: 'dgp_tracing_spans_dropped_total', help: 'Ended spans dropped because the export queue (tracing.batch.max_queue) was full.' }),
      ctx.metrics.counter({ name: 'dgp_tracing_spans_failed_total', help: 'Spans whose export failed (collector unreachable or refusing).' }),
      ctx.log,
    ),
  close: (t) => t.close(),
  instance: (config) => config.exporter.endpoint,
});
