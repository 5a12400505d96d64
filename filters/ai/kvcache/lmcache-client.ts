// The LMCache controller client (Pixiu lmcache_client.go, spec §3.4.4): /lookup, /pin, /compress, /evict and /clear,
// each inside the LMCache circuit breaker and retried with min(base * 2^n, max) backoff. Unlike Pixiu it does not
// sleep after the last attempt (§8.3 item 25), and with a `deadlineAt` it skips a retry whose wait would outlast it.
import { isDgpError } from '../../../core/index.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { isTimeout, parseJsonResponse, type JsonClient } from './json-client.js';
import { parseLookup, type LookupResult } from './layout.js';
import type { RetryOptions } from './options.js';
import { KvcacheLmcacheFailed } from './errors.js';

export interface CallOptions {
  /** performance.now() by which the whole call (retries included) must be over; waits past it are not started. */
  deadlineAt?: number;
}

export interface ActionResult {
  eventId: string;
  numTokens: number;
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class LmcacheClient {
  constructor(
    private readonly client: JsonClient,
    readonly breaker: CircuitBreaker,
    private readonly retry: RetryOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Which instances hold a prefix of `tokens`, and how many tokens each (both layout_info shapes accepted). */
  async lookup(tokens: readonly number[], signal: AbortSignal, opts: CallOptions = {}): Promise<LookupResult> {
    return parseLookup(await this.#call('/lookup', { tokens }, signal, opts));
  }

  pin(tokens: readonly number[], instanceId: string, location: string, signal: AbortSignal): Promise<ActionResult> {
    return this.#action('/pin', { tokens, instance_id: instanceId, location }, signal);
  }

  compress(tokens: readonly number[], instanceId: string, location: string, method: string, signal: AbortSignal): Promise<ActionResult> {
    return this.#action('/compress', { tokens, instance_id: instanceId, location, method }, signal);
  }

  /** Pixiu's /evict. LMCache controllers serve no /evict (peer-gateways.md); see clear. */
  evict(tokens: readonly number[], instanceId: string, signal: AbortSignal): Promise<ActionResult> {
    return this.#action('/evict', { tokens, instance_id: instanceId }, signal);
  }

  /** LMCache's /clear: drops every KV entry of the instance at `location` (not only this prompt's). */
  clear(instanceId: string, location: string, signal: AbortSignal): Promise<ActionResult> {
    return this.#action('/clear', { instance_id: instanceId, location }, signal);
  }

  async #action(path: string, body: object, signal: AbortSignal): Promise<ActionResult> {
    const v = (await this.#call(path, body, signal, {})) as { event_id?: unknown; num_tokens?: unknown } | null;
    return { eventId: typeof v?.event_id === 'string' ? v.event_id : '', numTokens: typeof v?.num_tokens === 'number' ? v.num_tokens : 0 };
  }

  async #call(path: string, body: object, signal: AbortSignal, opts: CallOptions): Promise<unknown> {
    const attempts = Math.max(1, this.retry.maxAttempts);
    const counts = (err: unknown) => !signal.aborted || isTimeout(signal.reason) || isTimeout(err);
    let last: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        return await this.breaker.execute(async () => {
          const res = await this.client.post(path, body, signal, 'DGP_ERR_KVCACHE_LMCACHE');
          return parseJsonResponse(res, 'lmcache', 'DGP_ERR_KVCACHE_LMCACHE');
        }, counts);
      } catch (err) {
        if (isDgpError(err) && err.code === 'DGP_ERR_KVCACHE_BREAKER_OPEN') throw err;
        if (signal.aborted) throw signal.reason;
        last = err;
      }
      if (attempt === attempts - 1) break;
      const wait = Math.min(this.retry.baseBackoffMs * 2 ** attempt, this.retry.maxBackoffMs);
      if (opts.deadlineAt !== undefined && this.now() + wait >= opts.deadlineAt) break;
      await sleep(wait, signal);
    }
    throw isDgpError(last) ? last : KvcacheLmcacheFailed(`LMCache ${path} failed: ${String(last)}`, { cause: last });
  }
}
