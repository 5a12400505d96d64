// The proxy's answer once the walk is over: the committed upstream answer becomes ctx.response (streams wrapped in
// UpstreamBody and SSE keep-alive comments, applied through the mapper, synchronously for a pass-through answer), or a
// coded error in the client's shape; both carry the attempts header and the routing trace.
import {
  Continue,
  SelectedEndpoint,
  UpstreamAttempts,
  UpstreamFirstByteAt,
  defineAttribute,
  isDgpError,
  type DgpError,
  type EndpointView,
  type HookResult,
  type RequestContext,
  type UpstreamAttempt,
} from '../../../core/index.js';
import { clientApiOf } from '../../../core/llm/index.js';
import { ATTEMPTS_HEADER, formatAttempts } from './attempts-header.js';
import type { Committed } from './attempt.js';
import type { AttemptScope } from './attempt-scope.js';
import { isEventStream } from './body-read.js';
import type { ProxyMapper, UpstreamRequest } from './mapper.js';
import type { ProxyMetrics } from './metrics.js';
import type { ProxyOptions } from './options.js';
import { UpstreamBody, type StreamEnd } from './response-body.js';
import type { ClusterRetryBudget } from './retry-budget.js';
import { publishTrace } from './route-trace.js';
import { SseKeepAlive } from './sse-keepalive.js';

/** Per-request handles onComplete must release (never kept in the factory closure). */
export const ProxyState = defineAttribute<{ scope: AttemptScope; body?: UpstreamBody; budget?: ClusterRetryBudget | undefined; settle?: (() => void) | undefined }>(
  'dgp.filter.llm.proxy/state',
);

export interface AnswerDeps {
  mapper: ProxyMapper;
  metrics: ProxyMetrics;
  options: ProxyOptions;
  /** route_header: the routing trace also as a response header. */
  routeHeader: boolean;
}

export class ProxyAnswers {
  constructor(private readonly o: AnswerDeps) {}

  commit(
    ctx: RequestContext,
    r: Committed,
    ep: EndpointView,
    record: UpstreamAttempt | undefined,
    ex: AttemptScope,
    request: UpstreamRequest,
    cluster: string,
  ): HookResult | Promise<HookResult> {
    ctx.set(SelectedEndpoint, { cluster, id: ep.id, address: ep.authority });
    ctx.set(UpstreamFirstByteAt, r.firstByteAt);
    let body: Buffer | UpstreamBody;
    if (Buffer.isBuffer(r.body)) {
      ex.dispose();
      body = r.body;
    } else {
      const onEnd = (end: StreamEnd): void => {
        ex.dispose();
        if (end === 'complete' || record === undefined) return;
        // The attempt looked good at commit time; the access log must show how it really ended.
        record.success = false;
        record.error_type = end;
        if (end === 'aborted') this.o.metrics.cancelled.inc({ cluster: ctx.route.cluster });
      };
      // A translated body gets its error frame from the provider translator, in the client's stream format.
      const errorFrames = request.translation === undefined || request.translation.passthrough;
      // Fields listed, not spread: `{ ...obj, more }` takes a slow path in V8 (~1 µs here).
      const { source, first, sse } = r.body;
      ex.commit();
      body = new UpstreamBody({ source, first, sse, clientApi: clientApiOf(ctx), clientQuery: ctx.request.query, errorFrames, cancelledBy: () => ex.cancelledBy(), onEnd });
      const prev = ctx.get(ProxyState);
      ctx.set(ProxyState, { scope: ex, body, budget: prev?.budget, settle: prev?.settle });
    }
    // Synchronous for a pass-through answer: an async layer here cost a promise and microtask turns per request.
    let applied;
    try {
      applied = this.o.mapper.applyResponse(ctx, { status: r.status, headers: r.headers, body, request });
    } catch (err) {
      return this.#untranslatable(ctx, err, body, record);
    }
    if (applied instanceof Promise) return applied.then(() => this.#committed(ctx), (err: unknown) => this.#untranslatable(ctx, err, body, record));
    return this.#committed(ctx);
  }

  /** The answer could not be translated (cut while read whole, not the provider's format): a coded 5xx. */
  #untranslatable(ctx: RequestContext, err: unknown, body: Buffer | UpstreamBody, record: UpstreamAttempt | undefined): HookResult {
    if (!isDgpError(err)) throw err;
    if (!Buffer.isBuffer(body)) body.dispose();
    if (record?.success === true) {
      record.success = false;
      record.error_type = 'bad_response';
    }
    return this.error(ctx, err);
  }

  #committed(ctx: RequestContext): HookResult {
    this.#keepAlive(ctx);
    this.#attemptsHeader(ctx);
    publishTrace(ctx, this.o.routeHeader);
    return Continue;
  }

  /** A streamed event-stream answer, as the client receives it (translated or not), gets keep-alive comments. */
  #keepAlive(ctx: RequestContext): void {
    const body = ctx.response.body;
    if (this.o.options.sseKeepAlive <= 0 || body === undefined || Buffer.isBuffer(body) || !isEventStream(ctx.response.headers)) return;
    ctx.response.body = new SseKeepAlive(body, this.o.options.sseKeepAlive);
  }

  error(ctx: RequestContext, err: DgpError): HookResult {
    const stop = ctx.replyError(err);
    // After replyError: a local reply replaces the response headers.
    this.#attemptsHeader(ctx);
    publishTrace(ctx, this.o.routeHeader);
    return stop;
  }

  #attemptsHeader(ctx: RequestContext): void {
    const attempts = ctx.get(UpstreamAttempts);
    if (this.o.options.attemptsHeader && attempts && attempts.length > 0) ctx.response.headers[ATTEMPTS_HEADER] = formatAttempts(attempts);
  }
}
