// The audit pipeline as a host service: one per deep-equal `audit:` config, kept across reloads while the config is
// unchanged (one writer per file, one queue), closed — flushed — when no generation uses it, or on Gateway.close().
// A generation binds its stores to the redis_stream sinks (stores are resolved by adapter id per generation).
import { defineService } from '../../services/define.js';
import type { AuditConfig } from '../../config/types.js';
import type { Store } from '../../services/store.js';
import { DgpError, isDgpError } from '../../errors.js';
import { AuditLog } from './audit-log.js';
import { auditEnv } from './request-record.js';
import { requestObservers, type AuditRecordEnv } from '../request-observers.js';
import type { RequestContext } from '../../plugin-api.js';
import { BodyCapture, StreamedBodyCapture } from './body-capture.js';
import { FileSink } from './sinks/file.js';
import { RedisStreamSink } from './sinks/redis-stream.js';
import type { AuditSink } from './sinks/sink.js';
import { StdoutSink } from './sinks/stdout.js';
import { WebhookSink } from './sinks/webhook.js';

export class Audit {
  readonly env: AuditRecordEnv;
  readonly #streams: Array<{ storeId: string; index: number; sink: RedisStreamSink }>;

  constructor(
    readonly log: AuditLog,
    config: AuditConfig,
    streams: Array<{ storeId: string; index: number; sink: RedisStreamSink }>,
  ) {
    this.env = auditEnv({ hmac_secret: config.hmac_secret, bodies: config.bodies.mode, maxBodyBytes: config.bodies.max_bytes });
    this.#streams = streams;
  }

  /** Points the redis_stream sinks at this generation's stores; throws when one names no store that can hold a stream. */
  bindStores(find: (id: string) => Store): void {
    for (const s of this.#streams) {
      const pointer = `/audit/sinks/${s.index}/store`;
      let store: Store;
      try {
        store = find(s.storeId);
      } catch (err) {
        throw new DgpError(isDgpError(err) ? err.code : 'DGP_ERR_STORE_UNKNOWN', `audit sink redis_stream: ${(err as Error).message}`, { cause: err, details: { pointer } });
      }
      if (store.appendStream === undefined) {
        throw new DgpError('DGP_ERR_STORE_UNKNOWN', `audit sink redis_stream: store "${s.storeId}" (${store.kind}) cannot hold a stream`, {
          hint: 'name a dgp.adapter.store.redis adapter',
          details: { pointer },
        });
      }
      s.sink.store = store;
    }
  }

  /**
   * A streamed answer is starting: when its audit record wants the response body (bodies `all`, or `per_key` and an
   * observer says this request's key asked), a capture the response writer feeds; published as StreamedBodyCapture.
   */
  streamCapture(ctx: RequestContext): BodyCapture | undefined {
    const mode = this.env.bodies;
    if (mode === 'off') return undefined;
    if (mode === 'per_key' && ![...requestObservers()].some((o) => o.wantsBodies?.(ctx) === true)) return undefined;
    const capture = new BodyCapture(this.env.maxBodyBytes);
    ctx.set(StreamedBodyCapture, capture);
    return capture;
  }

  write(record: Record<string, unknown>): void {
    this.log.write(record);
  }
}

export const auditService = defineService<Audit, AuditConfig>({
  name: 'dgp.audit',
  create: (config, ctx) => {
    const streams: Array<{ storeId: string; index: number; sink: RedisStreamSink }> = [];
    const sinks: AuditSink[] = config.sinks.map((s, index) => {
      switch (s.type) {
        case 'stdout':
          return new StdoutSink();
        case 'file':
          return new FileSink({ path: s.path, maxBytes: s.max_bytes, maxFiles: s.max_files });
        case 'webhook':
          return new WebhookSink({ url: s.url, headers: s.headers, batchSize: s.batch_size, timeoutMs: s.timeout, maxRetries: s.max_retries, retryBackoffMs: s.retry_backoff, deadLetter: s.dead_letter });
        case 'redis_stream': {
          const sink = new RedisStreamSink({ storeId: s.store, stream: s.stream, maxLen: s.max_len });
          streams.push({ storeId: s.store, index, sink });
          return sink;
        }
      }
    });
    if (config.hmac_secret === '') ctx.log.info('audit: no hmac_secret, so records carry no prompt_hash');
    else if (config.hmac_secret.length < 16) ctx.log.warn('audit: hmac_secret is shorter than 16 characters; prompt hashes of short prompts can be guessed by whoever guesses the secret');
    const log = new AuditLog(sinks, { maxQueue: config.max_queue, flushIntervalMs: config.flush_interval }, ctx.log, ctx.metrics);
    return new Audit(log, config, streams);
  },
  close: (audit) => audit.log.close(),
  readiness: (audit) => ({ ready: true, queued: audit.log.queued }),
});
