// dgp.filter.llm.proxy's per-generation instance: decode answers GET /v1/models or runs the strategy and turns its
// outcome into ctx.response (a committed answer, the last failed upstream answer, or a coded local error), translated
// by the provider codecs; onComplete releases whatever the request still holds upstream.
import {
  DgpError,
  isDgpError,
  type FactoryContext,
  type HookResult,
  type HttpFilter,
  type RequestContext,
  type RequestInfo,
  type UpstreamPoolOptions,
  upstreamPoolsService,
  UpstreamHold,
} from '../../../core/index.js';
import type { ProxyMapper } from './mapper.js';
import { AttemptScope } from './attempt-scope.js';
import { createProxyMetrics, type ProxyMetrics } from './metrics.js';
import { modelsAnswer, modelsRequest } from './models.js';
import { ESTIMATE_HEADER, countTokensApi, localTokenCount } from './count-tokens.js';
import { ModelNotFound } from './errors.js';
import { ModelGroups, deploymentPrices, missingDeployments } from './model-groups.js';
import { executeModelGroup } from './model-strategy.js';
import { endpointPricer } from './endpoint-pricer.js';
import { resolveProxyOptions, type ProxyOptions } from './options.js';
import { renderLlmLocalReply, renderLlmStreamError, requestModelOf, requestModelOfRequest, type WireApi } from '../../../core/llm/index.js';
import { ProviderCodecs } from './provider-codecs.js';
import type { ProxyConfig } from './schema.js';
import { retryBudgetService, type RetryBudgets } from './retry-budget.js';
import { ScrubberCache } from './secret-scrubber.js';
import { executeStrategy, type StrategyDeps } from './strategy.js';
import { createTranslatingMapper } from './translate.js';
import { ProxyAnswers, ProxyState } from './commit.js';
import { traceOf } from './route-trace.js';

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
  readonly #answers: ProxyAnswers;
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
    this.#answers = new ProxyAnswers({ mapper, metrics: this.#metrics, options: this.options, routeHeader: config.route_header ?? false });
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
        return this.#answers.error(ctx, ModelNotFound(`The model '${model}' does not exist or is not served on this route`, { details: { openai_type: 'invalid_request_error', openai_code: 'model_not_found' } }));
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
      if (isDgpError(err)) return this.#answers.error(ctx, err);
      throw err;
    }
    if (scope.resends.length > 0) this.#noteResends(ctx, scope.resends);
    switch (outcome.kind) {
      case 'committed': {
        const state = ctx.get(ProxyState);
        if (state !== undefined) state.settle = outcome.settle;
        return this.#answers.commit(ctx, outcome.result, outcome.endpoint, outcome.record, scope, outcome.request, outcome.cluster);
      }
      case 'last_response':
        scope.dispose();
        return this.#answers.commit(ctx, { ...outcome.result, kind: 'committed' }, outcome.endpoint, undefined, scope, outcome.request, outcome.cluster);
      case 'aborted':
        scope.dispose();
        this.#metrics.cancelled.inc({ cluster: ctx.route.cluster });
        return this.#answers.error(ctx, new DgpError('DGP_ERR_UPSTREAM_ABORTED', 'the client disconnected; the upstream request was cancelled'));
      case 'error':
        scope.dispose();
        return this.#answers.error(ctx, outcome.error);
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
      if (isDgpError(err)) return this.#answers.error(ctx, err);
      throw err;
    }
  }

  /** A token count the route's upstreams cannot give (another API): the local tokenizer's, marked as an estimate. */
  async #countTokens(ctx: RequestContext, api: WireApi): Promise<HookResult | undefined> {
    try {
      const body = await localTokenCount(ctx, api, this.#deps.clusters, this.#codecs, this.#workers);
      return body === undefined ? undefined : ctx.reply(200, body, { [ESTIMATE_HEADER]: 'estimate' });
    } catch (err) {
      if (isDgpError(err)) return this.#answers.error(ctx, err);
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
}
