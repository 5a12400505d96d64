// The cache strategy (Pixiu strategy.go, spec §3.4.6): decide compress (gateway CPU >= load_threshold), evict
// (gateway memory >= memory_threshold) and pin (a hot prompt); then run compress, pin, evict in that order, stopping
// at the first error. The targets are the fixed instance ids of the config, as in Pixiu.
import type { HotWindow } from './hot-window.js';
import { isTimeout } from './json-client.js';
import type { LmcacheClient } from './lmcache-client.js';
import type { LoadSample } from './load-monitor.js';
import type { StrategyOptions } from './options.js';

export interface CacheDecision {
  compress: boolean;
  pin: boolean;
  evict: boolean;
  /** The last rule that fired (Pixiu: the last one written wins): high_load, memory_threshold, hot_content or ''. */
  reason: string;
}

export type BackgroundAction = 'compress' | 'pin' | 'evict' | 'clear';
export type ActionOutcome = 'ok' | 'error' | 'cancelled';

export class CacheStrategy {
  #requests = 0;

  constructor(
    private readonly opts: StrategyOptions,
    private readonly hot: HotWindow,
    private readonly load: () => LoadSample,
    private readonly lmcache: LmcacheClient,
    private readonly onAction: (action: BackgroundAction, outcome: ActionOutcome) => void = () => {},
  ) {}

  /** Pixiu's RecordRequest: a counter no decision uses, kept for parity and logs. */
  recordRequest(): void {
    this.#requests++;
  }

  get requests(): number {
    return this.#requests;
  }

  /** True when some action can ever fire; otherwise background work only fills the token cache. */
  get anyEnabled(): boolean {
    const o = this.opts;
    return (o.enableCompression && o.loadThreshold > 0) || (o.enableEviction && o.memoryThreshold > 0) || (o.enablePinning && o.hotContentThreshold > 0);
  }

  makeDecision(promptKey: string): CacheDecision {
    const o = this.opts;
    const d: CacheDecision = { compress: false, pin: false, evict: false, reason: '' };
    const needsLoad = (o.enableCompression && o.loadThreshold > 0) || (o.enableEviction && o.memoryThreshold > 0);
    const { cpu, mem } = needsLoad ? this.load() : { cpu: 0, mem: 0 };
    if (o.enableCompression && o.loadThreshold > 0 && cpu >= o.loadThreshold) {
      d.compress = true;
      d.reason = 'high_load';
    }
    if (o.enableEviction && o.memoryThreshold > 0 && mem >= o.memoryThreshold) {
      d.evict = true;
      d.reason = 'memory_threshold';
    }
    if (o.enablePinning && this.hot.isHot(promptKey, o.hotContentThreshold)) {
      d.pin = true;
      d.reason = 'hot_content';
    }
    return d;
  }

  /** Runs the flagged actions in Pixiu's order; rejects with the first error (later actions are not run). */
  async executeDecision(d: CacheDecision, tokens: readonly number[], signal: AbortSignal): Promise<void> {
    const o = this.opts;
    if (d.compress) await this.#run('compress', signal, () => this.lmcache.compress(tokens, o.compressInstanceId, o.compressLocation, o.compressMethod, signal));
    if (d.pin) await this.#run('pin', signal, () => this.lmcache.pin(tokens, o.pinInstanceId, o.pinLocation, signal));
    if (d.evict) {
      if (o.evictApi === 'clear') await this.#run('clear', signal, () => this.lmcache.clear(o.evictInstanceId, o.evictLocation, signal));
      else await this.#run('evict', signal, () => this.lmcache.evict(tokens, o.evictInstanceId, signal));
    }
  }

  async #run(action: BackgroundAction, signal: AbortSignal, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
      this.onAction(action, 'ok');
    } catch (err) {
      // A generation closing cancels; our own request_timeout is the controller being too slow, an error.
      this.onAction(action, signal.aborted && !isTimeout(signal.reason) ? 'cancelled' : 'error');
      throw err;
    }
  }
}
