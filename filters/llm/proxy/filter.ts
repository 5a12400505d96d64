// dgp.filter.llm.proxy's per-generation instance: decode answers GET /v1/models or runs the strategy and turns its
// outcome into ctx.response (a committed answer, the last failed upstream answer, or a coded local error), translated
// by the provider codecs; onComplete releases whatever the request still holds upstream.
import {
  Continue,
  DgpError,
  SelectedEndpoint,
  UpstreamAttempts,
  UpstreamFirstByteAt,
  defineAttribute,
  isDgpError,
  type EndpointView,
  type FactoryContext,
  type HookResult,
  type HttpFilter,
  type RequestContext,
  type RequestInfo,
  type UpstreamAttempt,
  type UpstreamPoolOptions,
  upstreamPoolsService,
  UpstreamHold,
} from '../../../core/index.js';
import { ATTEMPTS_HEADER, formatAttempts } from './attempts-header.js';
import type { Committed } from './attempt.js';
import { isEventStream } from './body-read.js';
import type { ProxyMapper, UpstreamRequest } from './mapper.js';
import { AttemptScope } from './attempt-scope.js';
import { createProxyMetrics, type ProxyMetrics } from './metrics.js';
import { modelsAnswer, modelsRequest } from './models.js';
import { ESTIMATE_HEADER, countTokensApi, localTokenCount } from './count-tokens.js';
import { ModelNotFound } from './errors.js';
import { ModelGroups, deploymentPrices, missingDeployments } from './model-groups.js';
import { executeModelGroup } from './model-strategy.js';
import { endpointPricer } from './endpoint-pricer.js';
import { publishTrace, traceOf } from './route-trace.js';
import { resolveProxyOptions, type ProxyOptions } from './options.js';
import { clientApiOf, renderLlmLocalReply, renderLlmStreamError, requestModelOf, requestModelOfRequest, type WireApi } from '../../../core/llm/index.js';
import { ProviderCodecs } from './provider-codecs.js';
import { UpstreamBody, type StreamEnd } from './response-body.js';
import type { ProxyConfig } from './schema.js';
import { retryBudgetService, type ClusterRetryBudget, type RetryBudgets } from './retry-budget.js';
import { ScrubberCache } from './secret-scrubber.js';
import { SseKeepAlive } from './sse-keepalive.js';
import { executeStrategy, type StrategyDeps } from './strategy.js';
import { createTranslatingMapper } from './translate.js';

/** Per-request handles onComplete must release (never kept in the factory closure). */
const ProxyState = defineAttribute<{ scope: AttemptScope; body?: UpstreamBody; budget?: ClusterRetryBudget | undefined; settle?: (() => void) | undefined }>(
  'dgp.filter.llm.proxy/state',
);

export function poolOptionsOf(o: ProxyOptions): UpstreamPoolOptions {
  return {
    connections: o.connections,
    keepAliveTimeout: o.keepAliveTimeout,
    connectTimeout: o.connectTimeout,
    headersTimeout: o.firstByteTimeout,
    bodyTimeout: o.idleTimeout,
    ...(o.ca === undefined ? {} : { ca: o.ca }),
  };
}

export class ProxyFilter implements HttpFilter {
  readonly options: ProxyOptions;
  readonly #deps: StrategyDeps;
  readonly #metrics: ProxyMetrics;
  readonly #codecs: ProviderCodecs;
  readonly #budgets: RetryBudgets;
  readonly #groups: ModelGroups;
  readonly #routeHeader: boolean;
  readonly #rejectUnknown: boolean;
  readonly #workers: FactoryContext['workers'];
  /** Unix seconds: the `created` of the models this generation lists. */
  readonly #createdAt = Math.floor(Date.now() / 1000);
  /** Local replies on this listener come out in the client's API shape (OpenAI, Anthropic, Gemini). */
  readonly renderLocalReply = renderLlmLocalReply;
  readonly renderStreamError = renderLlmStreamError;

  constructor(config: Readonly<ProxyConfig>, fctx: FactoryContext, mapper?: ProxyMapper) {
    this.options = resolveProxyOptions(config, fctx.configDir);
    this.#metrics = createProxyMetrics(fctx.metrics);
    this.#codecs = new ProviderCodecs(fctx);
    this.#codecs.checkLabels(fctx.clusters);
    this.#workers = fctx.workers;
    mapper ??= createTranslatingMapper(this.#codecs, fctx.workers);
    this.#budgets = fctx.services.get(retryBudgetService);
    this.#groups = new ModelGroups(config.model_list ?? []);
    this.#routeHeader = config.route_header ?? false;
    this.#rejectUnknown = config.unknown_model === 'reject';
    for (const problem of missingDeployments(this.#groups, fctx.clusters)) fctx.log.warn({ code: 'DGP_ERR_CONFIG_REFERENCE' }, `${problem}; its requests skip it until a registry adds it`);
    this.#deps = {
      clusters: fctx.clusters,
      pools: fctx.services.get(upstreamPoolsService),
      poolOptions: poolOptionsOf(this.options),
      mapper,
      options: this.options,
      metrics: this.#metrics,
      scrubbers: new ScrubberCache(this.options.redact),
      ...(this.#groups.groups.some((g) => g.strategy === 'cost') ? { price: deploymentPrices(config.prices, fctx.configDir) } : {}),
    };
    // CostAware clusters rank their endpoints by the price book through the pricer installed here.
    const clusters = fctx.clusters;
    if (clusters.setEndpointPricer !== undefined && clusters.clusterNames().some((n) => clusters.lbPolicyOf?.(n) === 'CostAware')) {
      this.#deps.pricer = endpointPricer(this.#deps.price ?? deploymentPrices(config.prices, fctx.configDir));
      clusters.setEndpointPricer(this.#deps.pricer);
    }
  }

  async decode(ctx: RequestContext): Promise<HookResult> {
    const cluster = ctx.route.cluster;
    const models = modelsRequest(ctx);
    if (models !== undefined && (this.#deps.clusters.hasCluster(cluster) || !this.#groups.empty)) {
      const answered = await this.#models(ctx, models.id);
      if (answered !== undefined) return answered;
    }
    const countApi = countTokensApi(ctx);
    if (countApi !== undefined) {
      const counted = await this.#countTokens(ctx, countApi);
      if (counted !== undefined) return counted;
    }
    const trace = traceOf(ctx);
    let match;
    let model: string | undefined;
    if (!this.#groups.empty) {
      model = await requestModelOf(ctx);
      match = this.#groups.resolve(model);
      trace.model(model, match?.group.name, match?.via);
      if (match === undefined && model !== undefined && this.#rejectUnknown) {
        return this.#error(ctx, ModelNotFound(`The model '${model}' does not exist or is not served on this route`, { details: { openai_type: 'invalid_request_error', openai_code: 'model_not_found' } }));
      }
    }
    const scope = new AttemptScope(ctx, this.options.deadline, () => ctx.get(UpstreamHold)?.() === true);
    // In flight to the cluster (for its retry budget) until onComplete, streams included.
    const budget = this.#budgets.of(cluster);
    budget.active++;
    ctx.set(ProxyState, { scope, budget });
    let outcome;
    try {
      outcome = match === undefined ? await executeStrategy(ctx, this.#deps, scope, budget, trace) : await executeModelGroup(ctx, this.#deps, scope, budget, trace, match, model);
    } catch (err) {
      scope.dispose();
      if (isDgpError(err)) return this.#error(ctx, err);
      throw err;
    }
    if (scope.resends.length > 0) this.#noteResends(ctx, scope.resends);
    switch (outcome.kind) {
      case 'committed': {
        const state = ctx.get(ProxyState);
        if (state !== undefined) state.settle = outcome.settle;
        return this.#commit(ctx, outcome.result, outcome.endpoint, outcome.record, scope, outcome.request, outcome.cluster);
      }
      case 'last_response':
        scope.dispose();
        return this.#commit(ctx, { ...outcome.result, kind: 'committed' }, outcome.endpoint, undefined, scope, outcome.request, outcome.cluster);
      case 'aborted':
        scope.dispose();
        this.#metrics.cancelled.inc({ cluster: ctx.route.cluster });
        return this.#error(ctx, new DgpError('DGP_ERR_UPSTREAM_ABORTED', 'the client disconnected; the upstream request was cancelled'));
      case 'error':
        scope.dispose();
        return this.#error(ctx, outcome.error);
    }
  }

  close(): void {
    this.#metrics.close();
  }

  /** The model routes with `match.model` compare: the JSON body's `model` (OpenAI, Anthropic) or the Gemini path. */
  routeModel(request: RequestInfo): Promise<string | undefined> {
    return requestModelOfRequest(request);
  }

  /** GET /v1/models[/{id}] from the configuration; undefined = ask the upstream (a plain OpenAI-compatible cluster). */
  async #models(ctx: RequestContext, id: string | undefined): Promise<HookResult | undefined> {
    try {
      const body = await modelsAnswer(ctx, id, this.#deps.clusters, this.#groups, this.#codecs, this.#createdAt);
      return body === undefined ? undefined : ctx.reply(200, body);
    } catch (err) {
      if (isDgpError(err)) return this.#error(ctx, err);
      throw err;
    }
  }

  /** A token count the route's upstreams cannot give (another API): the local tokenizer's, marked as an estimate. */
  async #countTokens(ctx: RequestContext, api: WireApi): Promise<HookResult | undefined> {
    try {
      const body = await localTokenCount(ctx, api, this.#deps.clusters, this.#codecs, this.#workers);
      return body === undefined ? undefined : ctx.reply(200, body, { [ESTIMATE_HEADER]: 'estimate' });
    } catch (err) {
      if (isDgpError(err)) return this.#error(ctx, err);
      throw err;
    }
  }

  #noteResends(ctx: RequestContext, codes: readonly string[]): void {
    this.#metrics.keepAliveResends.inc({ cluster: ctx.route.cluster }, codes.length);
    ctx.log.debug({ cluster: ctx.route.cluster, codes }, 'the upstream closed a reused keep-alive socket before answering; the request was sent again on a new connection');
  }

  onComplete(ctx: RequestContext): void {
    const state = ctx.get(ProxyState);
    state?.settle?.();
    if (state !== undefined) state.settle = undefined;
    state?.body?.dispose();
    state?.scope.dispose();
    if (state?.budget !== undefined) {
      state.budget.active--;
      state.budget = undefined;
    }
    this.#deps.mapper.complete?.(ctx);
  }

  #commit(
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
        if (end === 'aborted') this.#metrics.cancelled.inc({ cluster: ctx.route.cluster });
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
      applied = this.#deps.mapper.applyResponse(ctx, { status: r.status, headers: r.headers, body, request });
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
    return this.#error(ctx, err);
  }

  #committed(ctx: RequestContext): HookResult {
    this.#keepAlive(ctx);
    this.#attemptsHeader(ctx);
    publishTrace(ctx, this.#routeHeader);
    return Continue;
  }

  /** A streamed event-stream answer, as the client receives it (translated or not), gets keep-alive comments. */
  #keepAlive(ctx: RequestContext): void {
    const body = ctx.response.body;
    if (this.options.sseKeepAlive <= 0 || body === undefined || Buffer.isBuffer(body) || !isEventStream(ctx.response.headers)) return;
    ctx.response.body = new SseKeepAlive(body, this.options.sseKeepAlive);
  }

  #error(ctx: RequestContext, err: DgpError): HookResult {
    const stop = ctx.replyError(err);
    // After replyError: a local reply replaces the response headers.
    this.#attemptsHeader(ctx);
    publishTrace(ctx, this.#routeHeader);
    return stop;
  }

  #attemptsHeader(ctx: RequestContext): void {
    const attempts = ctx.get(UpstreamAttempts);
    if (this.options.attemptsHeader && attempts && attempts.length > 0) ctx.response.headers[ATTEMPTS_HEADER] = formatAttempts(attempts);
  }
}
