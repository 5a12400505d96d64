// Everything one kvcache factory shares across its requests (Pixiu builds these once in Apply, spec §3.4.1): HTTP
// clients, the two circuit breakers, token manager, hot window, cache strategy, background runner, prefix router.
import { defineService, type FactoryContext } from '../../../core/index.js';
import { BackgroundRunner } from './background.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { PromptInfo } from './extract.js';
import { HotWindow } from './hot-window.js';
import { InflightTracker } from './inflight.js';
import { isTimeout, JsonClient } from './json-client.js';
import { LmcacheClient } from './lmcache-client.js';
import { LoadMonitor, type LoadSample } from './load-monitor.js';
import { createKvcacheMetrics, type KvcacheMetrics } from './metrics.js';
import { resolveKvcacheOptions, type KvcacheOptions } from './options.js';
import { PrefixRouter } from './prefix-router.js';
import type { KvcacheConfig } from './schema.js';
import { CacheStrategy } from './strategy.js';
import { TokenManager } from './token-manager.js';
import { encodingFor, LocalTokenSource, VllmTokenSource, type TokenizeRequest, type TokenSource } from './vllm-client.js';

/** Test seams: the clock of breakers and caches, and the load readings of the strategy. */
export interface RuntimeDeps {
  now?: () => number;
  load?: () => LoadSample;
}

/** One tracker per process: in-flight counts must survive reloads (requests finish on the old generation). */
const inflightService = defineService<InflightTracker>({
  name: 'dgp.filter.ai.kvcache/inflight',
  create: (_config, ctx) => {
    const metrics = createKvcacheMetrics(ctx.metrics);
    return new InflightTracker((cluster, endpoint, v) => metrics.inflight.set({ cluster, endpoint }, v));
  },
});
/** Prefix hashing never needs more text than max_blocks × block_size tokens; 8 characters a token is generous. */
const CHARS_PER_TOKEN_BOUND = 8;

export type KvcacheRuntime = ReturnType<typeof buildKvcacheRuntime>;

export function buildKvcacheRuntime(config: Readonly<KvcacheConfig>, fctx: FactoryContext, deps: RuntimeDeps = {}) {
  const opts: KvcacheOptions = resolveKvcacheOptions(config, fctx.configDir);
  const metrics: KvcacheMetrics = createKvcacheMetrics(fctx.metrics);
  const now = deps.now ?? (() => performance.now());
  const breaker = (name: string) => new CircuitBreaker(name, opts.breaker, now, (s) => metrics.breakerState.set({ breaker: name }, s));
  const clients: JsonClient[] = [];
  const client = (url: string) => {
    const c = new JsonClient(url, { connections: opts.maxConnsPerHost });
    clients.push(c);
    return c;
  };
  const background = new BackgroundRunner(opts.maxBackgroundTasks, opts.requestTimeoutMs, fctx.signal, (outcome, err) => {
    metrics.background.inc({ action: 'task', outcome });
    if (outcome === 'error') fctx.log.warn({ err }, '[kvcache] background cache task failed');
  });
  const choose = (model: string) => encodingFor(model, opts.modelEncodings, opts.defaultEncoding);
  const active = opts.enabled;
  const useLmcache = active && opts.mode === 'lmcache';
  const source: TokenSource =
    useLmcache && opts.tokenize === 'vllm' ? new VllmTokenSource(client(opts.vllmEndpoint), breaker('tokenize')) : new LocalTokenSource(fctx.workers, choose);
  const tokens = new TokenManager(source, {
    ...opts.tokenCache,
    now,
    onHit: () => metrics.tokenCacheHits.inc(),
    onMiss: () => metrics.tokenCacheMisses.inc(),
  });
  const hot = new HotWindow({ windowMs: opts.hotWindowMs, maxRecords: opts.hotMaxRecords, maxKeys: opts.hotMaxKeys, now });
  const lmcache = useLmcache ? new LmcacheClient(client(opts.lmcacheEndpoint), breaker('lmcache'), opts.retry, now) : undefined;
  const load = deps.load ?? ((m) => () => m.sample())(new LoadMonitor());
  const strategy = lmcache
    ? new CacheStrategy(opts.strategy, hot, load, lmcache, (action, outcome) => metrics.background.inc({ action, outcome }))
    : undefined;
  const inflight = fctx.services.get(inflightService);
  const prefix = new PrefixRouter(opts.prefix, inflight, now);

  // Load the tokenizer in a worker now, so the first routed request does not pay for it inside its budget.
  if (active && (opts.mode === 'prefix' || opts.tokenize === 'local')) {
    fctx.workers.run('tokenize', { ...choose(opts.defaultModel), text: 'warm up' }, { signal: background.lifeSignal }).catch(() => undefined);
  }

  return {
    opts,
    /** The hot window only feeds pinning; without it, no per-prompt timestamps are kept. */
    tracksHotness: strategy !== undefined && opts.strategy.enablePinning && opts.strategy.hotContentThreshold > 0,
    metrics,
    tokens,
    hot,
    lmcache,
    strategy,
    background,
    inflight,
    prefix,

    /** Block hashes of the prompt (worker pool); the model seeds the chain so models never share one. */
    async prefixHashes(info: PromptInfo): Promise<string[]> {
      const p = opts.prefix;
      const text = info.prompt.slice(0, p.maxBlocks * p.blockSize * CHARS_PER_TOKEN_BOUND);
      const out = await fctx.workers.run<{ hashes: string[] }>(
        'prefixHashes',
        { ...choose(info.model), text, blockSize: p.blockSize, seed: info.model },
        { signal: background.lifeSignal },
      );
      return out.hashes.slice(0, p.maxBlocks);
    },

    /**
     * Pixiu's manageCache, in the background: tokenize into the cache (tokenize: vllm), then decide and run
     * compress / pin / evict. Pixiu repeats the lookup first, but its result feeds no decision, so it is skipped.
     */
    scheduleCacheWork(key: string, req: TokenizeRequest, known: readonly number[] | undefined): void {
      const fillCache = known === undefined && opts.tokenize === 'vllm' && opts.tokenCache.enabled;
      const act = strategy?.anyEnabled === true;
      if (!fillCache && !act) return;
      background.run(async (signal) => {
        let ids = known;
        if (ids === undefined) {
          try {
            ids = await tokens.getTokens(key, req, signal, { count: false });
            metrics.background.inc({ action: 'tokenize', outcome: 'ok' });
          } catch (err) {
            metrics.background.inc({ action: 'tokenize', outcome: signal.aborted && !isTimeout(signal.reason) ? 'cancelled' : 'error' });
            throw err;
          }
        }
        if (!act || strategy === undefined || ids.length === 0) return;
        const d = strategy.makeDecision(key);
        if (d.compress || d.pin || d.evict) await strategy.executeDecision(d, ids, signal);
      });
    },

    async close(): Promise<void> {
      background.close();
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
