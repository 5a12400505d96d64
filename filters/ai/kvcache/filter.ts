// dgp.filter.ai.kvcache: decode reads the prompt, routes within the lookup budget (LMCache lookup or prefix affinity)
// by setting PreferredEndpointId for dgp.filter.llm.proxy, and hands cache work to the background runner; encode and
// onComplete keep the prefix mode's in-flight counts. Any failure means normal load balancing, never an error reply.
import {
  addAccessLogFields,
  PreferredEndpointId,
  SelectedEndpoint,
  defineAttribute,
  type FactoryContext,
  type HttpFilter,
  type RequestContext,
} from '../../../core/index.js';
import { unlessAborted } from './background.js';
import { keyMaterial, promptFromJson, promptKey, type PromptInfo } from './extract.js';
import { deadline } from './json-client.js';
import { routeByLookup, type RouteDecision } from './lmcache-router.js';
import { buildKvcacheRuntime, type KvcacheRuntime, type RuntimeDeps } from './runtime.js';
import type { KvcacheConfig } from './schema.js';

interface KvState {
  /** The (cluster, endpoint) this request counts against in the in-flight tracker (mode: prefix). */
  counted?: { cluster: string; id: string };
}
const KvStateKey = defineAttribute<KvState>('dgp.filter.ai.kvcache/state');

interface ReadPrompt {
  info: PromptInfo;
  raw: Buffer;
  key: string;
}

export class KvcacheFilter implements HttpFilter {
  readonly rt: KvcacheRuntime;

  constructor(config: Readonly<KvcacheConfig>, private readonly fctx: FactoryContext, deps: RuntimeDeps = {}) {
    this.rt = buildKvcacheRuntime(config, fctx, deps);
  }

  async decode(ctx: RequestContext): Promise<void> {
    const { opts, metrics } = this.rt;
    if (!opts.enabled) return;
    const started = performance.now();
    ctx.set(KvStateKey, {});
    this.rt.strategy?.recordRequest();
    const read = await this.#readPrompt(ctx);
    let decision: RouteDecision;
    if ('reason' in read) decision = { outcome: 'fallback', reason: read.reason };
    else {
      if (this.rt.tracksHotness) this.rt.hot.record(read.key);
      // Pixiu: the lookup budget is lookup_routing_timeout, never more than request_timeout.
      const budgetMs = Math.min(opts.lookupTimeoutMs, opts.requestTimeoutMs);
      const budget = deadline(budgetMs, 'kvcache routing');
      const signal = AbortSignal.any([budget.signal, ctx.signal]);
      try {
        decision = opts.mode === 'prefix' ? await this.#routePrefix(ctx, read, signal) : await this.#routeLmcache(ctx, read, signal, performance.now() + budgetMs);
      } finally {
        budget.clear();
      }
    }
    if (decision.endpointId !== undefined) ctx.set(PreferredEndpointId, decision.endpointId);
    metrics.routing.inc({ mode: opts.mode, outcome: decision.outcome, reason: decision.reason });
    metrics.addedLatency.observe({ mode: opts.mode, outcome: decision.outcome }, (performance.now() - started) / 1000);
    addAccessLogFields(ctx, { kvcache: `${decision.outcome}:${decision.reason}` });
    ctx.log.debug({ kvcache: decision }, 'kvcache routing decision');
  }

  /** mode: prefix — count the request against the endpoint that actually serves it (the proxy may have fallen back). */
  encode(ctx: RequestContext): void {
    const st = ctx.get(KvStateKey);
    const sel = ctx.get(SelectedEndpoint);
    if (st === undefined || sel === undefined || this.rt.opts.mode !== 'prefix') return;
    if (st.counted?.cluster === sel.cluster && st.counted.id === sel.id) return;
    if (st.counted) this.rt.inflight.release(st.counted.cluster, st.counted.id);
    st.counted = { cluster: sel.cluster, id: sel.id };
    this.rt.inflight.acquire(sel.cluster, sel.id);
  }

  onComplete(ctx: RequestContext): void {
    const st = ctx.get(KvStateKey);
    if (st?.counted) this.rt.inflight.release(st.counted.cluster, st.counted.id);
    if (st) st.counted = undefined;
  }

  async close(): Promise<void> {
    await this.rt.close();
  }

  /** Resolves when the background work started so far has ended (tests). */
  backgroundIdle(): Promise<void> {
    return this.rt.background.idle();
  }

  async #readPrompt(ctx: RequestContext): Promise<ReadPrompt | { reason: string }> {
    let raw: Buffer;
    let info: PromptInfo;
    let json: unknown;
    try {
      raw = await ctx.request.body();
      if (raw.length === 0) return { reason: 'no_prompt' };
      json = await ctx.request.json();
      info = promptFromJson(json);
    } catch (err) {
      ctx.log.warn({ err }, '[kvcache] parse request body failed; routing skipped');
      return { reason: 'bad_body' };
    }
    if (info.prompt === '') return { reason: 'no_prompt' };
    if (info.model === '') info = { ...info, model: this.rt.opts.defaultModel };
    return { info, raw, key: await promptKey(keyMaterial(json, info), this.fctx.workers) };
  }

  #usable(cluster: string, id: string): boolean {
    const ep = this.fctx.clusters.getHealthyEndpoint(cluster, id);
    return ep !== undefined && !this.fctx.clusters.cooldowns.inCooldown(cluster, ep);
  }

  async #routeLmcache(ctx: RequestContext, read: ReadPrompt, signal: AbortSignal, deadlineAt: number): Promise<RouteDecision> {
    const { opts, tokens: tm, background } = this.rt;
    const req = { model: read.info.model, prompt: read.info.prompt, rawBody: read.raw };
    // tokenize: vllm routes from the cache only (Pixiu); local tokenizes now, and a tokenization the budget cut short
    // still finishes into the cache for the next request.
    const tokens =
      opts.tokenize === 'local'
        ? await unlessAborted(tm.getTokens(read.key, req, background.lifeSignal), signal).catch((err: unknown) => {
            ctx.log.warn({ err }, '[kvcache] local tokenization failed; routing skipped');
            return undefined;
          })
        : tm.getCachedTokens(read.key);
    const decision =
      tokens === undefined || tokens.length === 0
        ? { outcome: 'fallback' as const, reason: 'no_tokens' }
        : await routeByLookup(this.rt.lmcache!, {
            tokens,
            signal,
            deadlineAt,
            instanceMap: opts.instanceMap,
            usable: (id) => this.#usable(ctx.route.cluster, id),
            onLookup: (result, err) => {
              this.rt.metrics.lookups.inc({ result });
              if (err !== undefined) ctx.log.debug({ err }, `[kvcache] lookup ${result}`);
            },
          });
    this.rt.scheduleCacheWork(read.key, req, tokens);
    return decision;
  }

  async #routePrefix(ctx: RequestContext, read: ReadPrompt, signal: AbortSignal): Promise<RouteDecision> {
    const cluster = ctx.route.cluster;
    const all = this.fctx.clusters.endpoints(cluster);
    if (all.length === 0) return { outcome: 'fallback', reason: 'no_endpoint' };
    const hashes = await unlessAborted(this.rt.prefixHashes(read.info), signal).catch((err: unknown) => {
      ctx.log.warn({ err }, '[kvcache] prefix hashing failed; routing skipped');
      return undefined;
    });
    if (hashes === undefined) return { outcome: 'fallback', reason: 'no_tokens' };
    if (hashes.length === 0) return { outcome: 'fallback', reason: 'short_prompt' };
    const usable = (ep: { id: string }) => this.#usable(cluster, ep.id);
    const pick = this.rt.prefix.pick(cluster, hashes, all, usable);
    if (pick === undefined) return { outcome: 'fallback', reason: 'no_endpoint' };
    this.rt.inflight.acquire(cluster, pick.id);
    ctx.get(KvStateKey)!.counted = { cluster, id: pick.id };
    return { outcome: 'routed', reason: pick.reason, endpointId: pick.id };
  }
}
