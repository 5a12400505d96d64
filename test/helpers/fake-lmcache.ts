// A local LMCache controller (LMCache's documented API server JSON: /lookup, /pin, /compress, /evict, /clear) on
// 127.0.0.1:0. Instances `store` token sequences; /lookup answers, per instance holding a prefix, its location and the
// matched length in whole chunks, as `[location, count]` (LMCache) or `{"0": location, "1": count}` (Pixiu's tests).
import { ScriptedJsonServer } from './fake-vllm.js';

export type LayoutShape = 'array' | 'object';

export interface FakeLmcacheOptions {
  shape?: LayoutShape;
  /** LMCache matches prefixes in whole chunks (256 tokens by default there); 1 here unless set. */
  chunkSize?: number;
}

interface Stored {
  instanceId: string;
  location: string;
  tokens: number[];
}

/** Scripted slowness, errors and downtime as ScriptedJsonServer: `ok`, `delay:ms`, `status:code`, `reset`, `bad-json`. */
export class FakeLmcache extends ScriptedJsonServer {
  shape: LayoutShape;
  readonly chunkSize: number;
  readonly #stored: Stored[] = [];
  #events = 0;
  /** When set, /lookup answers this layout (instance → [location, count]) instead of matching stored tokens. */
  fixedLayout: Record<string, [string, number]> | undefined;

  private constructor(opts: FakeLmcacheOptions) {
    super();
    this.shape = opts.shape ?? 'array';
    this.chunkSize = opts.chunkSize ?? 1;
  }

  static start(opts: FakeLmcacheOptions = {}): Promise<FakeLmcache> {
    return new FakeLmcache(opts).listen();
  }

  /** Records that `instanceId` holds the KV cache of `tokens` at `location`. */
  store(instanceId: string, tokens: readonly number[], location = 'LocalCPUBackend'): this {
    this.#stored.push({ instanceId, location, tokens: [...tokens] });
    return this;
  }

  protected answer(path: string, body: unknown): { status: number; json: unknown } {
    const b = (typeof body === 'object' && body !== null ? body : {}) as { tokens?: unknown; instance_id?: unknown; location?: unknown };
    const tokens = Array.isArray(b.tokens) ? (b.tokens as number[]) : [];
    const event_id = `${path.slice(1)}-evt-${++this.#events}`;
    switch (path) {
      case '/lookup':
        return { status: 200, json: { event_id, layout_info: this.#layout(tokens) } };
      case '/pin':
      case '/compress':
      case '/evict':
        return { status: 200, json: { event_id, num_tokens: tokens.length } };
      case '/clear': {
        const n = this.#stored.filter((s) => s.instanceId === b.instance_id && s.location === b.location).reduce((a, s) => a + s.tokens.length, 0);
        return { status: 200, json: { event_id, num_tokens: n } };
      }
      default:
        return { status: 404, json: { detail: 'Not Found' } };
    }
  }

  #layout(tokens: number[]): Record<string, unknown> {
    const best = new Map<string, [string, number]>();
    if (this.fixedLayout) for (const [id, v] of Object.entries(this.fixedLayout)) best.set(id, v);
    else {
      for (const s of this.#stored) {
        let n = 0;
        while (n < tokens.length && n < s.tokens.length && tokens[n] === s.tokens[n]) n++;
        n -= n % this.chunkSize;
        if (n > 0 && n > (best.get(s.instanceId)?.[1] ?? 0)) best.set(s.instanceId, [s.location, n]);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [id, [loc, count]] of best) out[id] = this.shape === 'array' ? [loc, count] : { 0: loc, 1: count };
    return out;
  }
}
