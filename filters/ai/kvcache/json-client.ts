// A small JSON-over-HTTP client for the vLLM and LMCache side calls: one undici Pool per base URL, POST only, every
// call bounded by an AbortSignal, every response body read (capped) or destroyed, failures as coded DgpErrors.
import { Pool } from 'undici';
import { DgpError, isDgpError } from '../../../core/index.js';
import { KvcacheBadResponse, KvcacheTimeout } from './errors.js';

/** A /tokenize answer for a very long prompt is a few MB of ids; anything much bigger is not a real answer. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface JsonResponse {
  status: number;
  text: string;
}

export type FailureCode = 'DGP_ERR_KVCACHE_LMCACHE' | 'DGP_ERR_KVCACHE_TOKENIZE';

/** A signal that aborts after `ms` with a DGP_ERR_KVCACHE_TIMEOUT reason; `clear()` stops the timer. */
export function deadline(ms: number, what: string): { signal: AbortSignal; clear(): void } {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(KvcacheTimeout(`${what} did not finish within ${ms} ms`)), ms);
  t.unref?.();
  return { signal: c.signal, clear: () => clearTimeout(t) };
}

/** True when `err` is our own timeout (counts against the breaker); a client abort is not. */
export const isTimeout = (err: unknown): boolean => isDgpError(err) && err.code === 'DGP_ERR_KVCACHE_TIMEOUT';

export class JsonClient {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #origin: string;
  #closed = false;

  constructor(baseUrl: string, opts: { connections: number }) {
    const url = new URL(baseUrl);
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    // Side calls are short; an idle socket is dropped well before typical server keep-alives (5 s uvicorn).
    this.#pool = new Pool(url.origin, {
      connections: opts.connections > 0 ? opts.connections : null,
      keepAliveTimeout: 4000,
      keepAliveMaxTimeout: 4000,
      pipelining: 1,
    });
  }

  get origin(): string {
    return this.#origin;
  }

  /** POSTs `body` (a Buffer as is, anything else as JSON) to base + `path`. Rejects with the signal's reason or `code`. */
  async post(path: string, body: unknown, signal: AbortSignal, code: FailureCode): Promise<JsonResponse> {
    if (signal.aborted) throw signal.reason;
    const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const target = `${this.#origin}${this.#basePath}${path}`;
    try {
      const res = await this.#pool.request({
        path: `${this.#basePath}${path}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: payload,
        signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          res.body.destroy();
          throw KvcacheBadResponse(`POST ${target}: response larger than ${MAX_RESPONSE_BYTES} bytes`);
        }
        chunks.push(chunk);
      }
      return { status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (isDgpError(err)) throw err;
      throw new DgpError(code, `POST ${target} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.destroy().catch(() => undefined);
  }
}

/** Parses a 2xx JSON body; a non-2xx status becomes `code` with Pixiu's message "<what> status <code>: <body>". */
export function parseJsonResponse(res: JsonResponse, what: string, code: FailureCode): unknown {
  if (res.status < 200 || res.status > 299) {
    throw new DgpError(code, `[kvcache] ${what} status ${res.status}: ${res.text.trim().slice(0, 500)}`, { details: { status: res.status } });
  }
  try {
    return JSON.parse(res.text) as unknown;
  } catch (err) {
    throw KvcacheBadResponse(`[kvcache] ${what}: the 2xx answer is not JSON: ${res.text.slice(0, 200)}`, { cause: err });
  }
}
