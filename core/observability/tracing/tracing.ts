// OpenTelemetry traces (the 2.x JS SDK line: 3.x needs Node 22): one tracer provider per deep-equal `tracing:`
// config, a host service shared across reloads and shut down (flushed) when no generation uses it. Sampling is
// decided here before any span exists — parent-based: a client's sampled traceparent is followed, an unsampled one
// never; a new trace is sampled with probability `ratio` — so an unsampled request allocates no span at all.
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type Context as OtelContext, type SpanContext, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Logger } from 'pino';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Counter } from 'prom-client';
import type { TracingConfig } from '../../config/types.js';
import type { MatchedRoute } from '../../plugin-api.js';
import { defineService } from '../../services/define.js';
import { RequestTrace } from './request-trace.js';

/** W3C trace context: version 00 (later versions are read by the same prefix rule), ids not all zero. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export function parseTraceparent(v: string | string[] | undefined): SpanContext | undefined {
  if (typeof v !== 'string') return undefined;
  const m = TRACEPARENT.exec(v.trim());
  if (m === null || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return undefined;
  const traceId = m[2]!;
  const spanId = m[3]!;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(m[4]!, 16) & TraceFlags.SAMPLED, isRemote: true };
}

export class Tracing {
  readonly tracer: Tracer;
  readonly provider: BasicTracerProvider;
  readonly ratio: number;
  readonly propagate: boolean;

  constructor(config: TracingConfig, dropped: Counter, failed: Counter, log: Logger) {
    this.ratio = config.ratio;
    this.propagate = config.propagate_to_upstream;
    const exporter = new BoundedExporter(new OTLPTraceExporter({ url: config.exporter.endpoint, headers: config.exporter.headers, timeoutMillis: config.exporter.timeout }), failed, log);
    const processor = new BatchSpanProcessor(exporter, {
      maxQueueSize: config.batch.max_queue,
      maxExportBatchSize: Math.min(config.batch.max_export_batch, config.batch.max_queue),
      scheduledDelayMillis: config.batch.schedule_delay,
      exportTimeoutMillis: config.exporter.timeout,
    });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.service_name }),
      sampler: new AlwaysOnSampler(),
      spanLimits: { attributeValueLengthLimit: config.attribute_value_limit },
      spanProcessors: [new BoundedProcessor(processor, exporter, config.batch.max_queue, dropped)],
    });
    this.tracer = this.provider.getTracer('dgp-gateway');
  }

  /**
   * The request's trace when it is sampled; undefined otherwise (nothing allocated beyond parsing a client's header).
   */
  startServer(traceparent: string | string[] | undefined, method: string, path: string, route: MatchedRoute, requestId: string, startedAt: number): RequestTrace | undefined {
    const parent = traceparent === undefined ? undefined : parseTraceparent(traceparent);
    if (parent !== undefined ? (parent.traceFlags & TraceFlags.SAMPLED) === 0 : this.ratio <= 0 || (this.ratio < 1 && Math.random() >= this.ratio)) return undefined;
    const ctx: OtelContext = parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent);
    const span = this.tracer.startSpan(
      `${method} ${path}`,
      {
        kind: SpanKind.SERVER,
        startTime: performanceToEpoch(startedAt),
        attributes: { 'http.request.method': method, 'url.path': path, 'dgp.route': route.id, 'dgp.listener': route.listener, 'dgp.request_id': requestId },
      },
      ctx,
    );
    return new RequestTrace(this, span);
  }

  async close(): Promise<void> {
    await this.provider.shutdown();
  }
}

/** performance.now() → epoch milliseconds (what span start times take). */
export function performanceToEpoch(t: number): number {
  return performance.timeOrigin + t;
}

/**
 * Counts what the batch processor holds and drops past max_queue itself, so drops are counted
 * (dgp_tracing_spans_dropped_total) instead of being a debug line of the SDK.
 */
class BoundedProcessor {
  constructor(
    private readonly inner: BatchSpanProcessor,
    private readonly exporter: BoundedExporter,
    private readonly max: number,
    private readonly dropped: Counter,
  ) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.exporter.pending >= this.max) {
      this.dropped.inc();
      return;
    }
    this.exporter.pending++;
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/**
 * The OTLP exporter, counting spans handed to the processor until their export settled, and failed exports (the SDK
 * reports them only to its diag logger, off by default): counted, and logged once per outage.
 */
class BoundedExporter implements SpanExporter {
  pending = 0;
  #failing = false;

  constructor(
    private readonly inner: OTLPTraceExporter,
    private readonly failed: Counter,
    private readonly log: Logger,
  ) {}

  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.inner.export(spans, (r) => {
      this.pending = Math.max(0, this.pending - spans.length);
      if (r.code !== ExportResultCode.SUCCESS) {
        this.failed.inc(spans.length);
        if (!this.#failing) this.log.warn({ err: r.error?.message, spans: spans.length }, 'tracing: exporting spans failed; they are lost (counted in dgp_tracing_spans_failed_total) until the collector answers again');
        this.#failing = true;
      } else if (this.#failing) {
        this.#failing = false;
        this.log.info('tracing: exporting spans works again');
      }
      done(r);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
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
