// The two token sources: vLLM POST /tokenize (Pixiu, spec §3.4.3: the raw client body when there is one, inside
// the tokenize circuit breaker, never retried) and the worker pool's tokenizer (tokenize: local, our addition).
import type { EncodingChoice, WorkerPoolApi } from '../../../core/index.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { isTimeout, parseJsonResponse, type JsonClient } from './json-client.js';
import { KvcacheBadResponse } from './errors.js';

export interface TokenizeRequest {
  model: string;
  prompt: string;
  /** The client's request body; sent to vLLM unchanged when non-empty, so chat templates apply. */
  rawBody?: Buffer;
}

export interface TokenSource {
  tokenize(req: TokenizeRequest, signal: AbortSignal): Promise<number[]>;
}

export function tokenIdsOf(value: unknown, what: string): number[] {
  const tokens = typeof value === 'object' && value !== null ? (value as { tokens?: unknown }).tokens : undefined;
  if (!Array.isArray(tokens) || !tokens.every((t) => Number.isInteger(t))) {
    throw KvcacheBadResponse(`[kvcache] ${what}: expected {"tokens": [int...]}`);
  }
  return tokens as number[];
}

export class VllmTokenSource implements TokenSource {
  constructor(
    private readonly client: JsonClient,
    private readonly breaker: CircuitBreaker,
  ) {}

  tokenize(req: TokenizeRequest, signal: AbortSignal): Promise<number[]> {
    const body = req.rawBody !== undefined && req.rawBody.length > 0 ? req.rawBody : { ...(req.model ? { model: req.model } : {}), prompt: req.prompt };
    return this.breaker.execute(
      async () => {
        const res = await this.client.post('/tokenize', body, signal, 'DGP_ERR_KVCACHE_TOKENIZE');
        return tokenIdsOf(parseJsonResponse(res, 'tokenize', 'DGP_ERR_KVCACHE_TOKENIZE'), 'tokenize');
      },
      (err) => !signal.aborted || isTimeout(signal.reason) || isTimeout(err),
    );
  }
}

/** model_encodings (longest prefix, a trailing * allowed) → that encoding; else the worker's model map, then default. */
export function encodingFor(model: string, modelEncodings: Readonly<Record<string, string>>, defaultEncoding: string): EncodingChoice {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  let best = -1;
  let encoding: string | undefined;
  for (const [prefix, enc] of Object.entries(modelEncodings)) {
    const p = prefix.toLowerCase().replace(/\*$/, '');
    if (name.startsWith(p) && p.length > best) {
      best = p.length;
      encoding = enc;
    }
  }
  if (encoding !== undefined) return { encoding };
  return { ...(model ? { model } : {}), fallbackEncoding: defaultEncoding };
}

export class LocalTokenSource implements TokenSource {
  constructor(
    private readonly workers: WorkerPoolApi,
    private readonly choose: (model: string) => EncodingChoice,
  ) {}

  async tokenize(req: TokenizeRequest, signal: AbortSignal): Promise<number[]> {
    const out = await this.workers.run<{ ids?: number[] }>('tokenize', { ...this.choose(req.model), text: req.prompt, ids: true }, { signal });
    return out.ids ?? [];
  }
}
