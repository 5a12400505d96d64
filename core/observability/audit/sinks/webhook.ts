// The webhook sink: records POSTed as a JSON array in batches of batch_size. A failed POST (network error, timeout,
// 408, 429, 5xx) is retried with exponential backoff; a batch still undelivered after max_retries (or refused with
// another 4xx, which a retry would not change) goes to the dead-letter file as JSONL, to be replayed by the operator.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { jsonl, type AuditEntry, type AuditSink } from './sink.js';

export interface WebhookSinkOptions {
  url: string;
  headers: Record<string, string>;
  batchSize: number;
  timeoutMs: number;
  maxRetries: number;
  retryBackoffMs: number;
  /** '' = no dead-letter file: an undeliverable batch is lost (write rejects, the pipeline counts it). */
  deadLetter: string;
}

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

export class WebhookSink implements AuditSink {
  readonly name: string;
  readonly #o: WebhookSinkOptions;
  /** Aborts a backoff wait on close: shutdown sends what it has to the dead-letter file instead of waiting. */
  readonly #closing = new AbortController();

  constructor(o: WebhookSinkOptions) {
    this.#o = o;
    this.name = `webhook:${new URL(o.url).origin}`;
  }

  async write(batch: readonly AuditEntry[]): Promise<void | 'dead_letter'> {
    let dead = false;
    for (let i = 0; i < batch.length; i += this.#o.batchSize) {
      const part = batch.slice(i, i + this.#o.batchSize);
      const failure = await this.#post(part);
      if (failure === undefined) continue;
      if (this.#o.deadLetter === '') throw new Error(`webhook ${this.name} failed: ${failure}`);
      await mkdir(dirname(this.#o.deadLetter), { recursive: true });
      await appendFile(this.#o.deadLetter, jsonl(part), { mode: 0o640 });
      dead = true;
    }
    return dead ? 'dead_letter' : undefined;
  }

  /** undefined once delivered; else why it was given up. */
  async #post(part: readonly AuditEntry[]): Promise<string | undefined> {
    const body = `[${part.map((e) => e.line).join(',')}]`;
    let why = '';
    for (let attempt = 0; attempt <= this.#o.maxRetries; attempt++) {
      if (attempt > 0) {
        if (this.#closing.signal.aborted) return `${why} (shutting down)`;
        await sleep(this.#o.retryBackoffMs * 2 ** (attempt - 1), undefined, { signal: this.#closing.signal }).catch(() => undefined);
      }
      try {
        const res = await request(this.#o.url, {
          method: 'POST',
          headers: { ...this.#o.headers, 'content-type': 'application/json' },
          body,
          headersTimeout: this.#o.timeoutMs,
          bodyTimeout: this.#o.timeoutMs,
          signal: AbortSignal.timeout(this.#o.timeoutMs),
        });
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) return undefined;
        why = `status ${res.statusCode}`;
        if (!retryable(res.statusCode)) return why;
      } catch (err) {
        why = (err as Error).message;
      }
    }
    return why;
  }

  close(): Promise<void> {
    this.#closing.abort();
    return Promise.resolve();
  }
}
