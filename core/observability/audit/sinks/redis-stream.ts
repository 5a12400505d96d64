// The redis_stream sink: each record XADDed once to a capped stream through a store adapter (dgp.adapter.store.redis),
// so every gateway instance writes to one stream. Entries carry `request_id`, `kind` and the whole record as `record`;
// the record id guards the append, so a retried batch never doubles a record.
import type { Store } from '../../../services/store.js';
import type { AuditEntry, AuditSink } from './sink.js';

export interface RedisStreamSinkOptions {
  /** The adapter id, for messages. */
  storeId: string;
  stream: string;
  maxLen: number;
}

/** A record id is remembered this long: long enough for any retry of the same batch. */
const DEDUPE_TTL_MS = 24 * 3600_000;

export class RedisStreamSink implements AuditSink {
  readonly name: string;
  /** The store of the generation that last bound this sink (stores are shared across reloads while unchanged). */
  store: Store | undefined;

  constructor(private readonly o: RedisStreamSinkOptions) {
    this.name = `redis_stream:${o.storeId}/${o.stream}`;
  }

  async write(batch: readonly AuditEntry[]): Promise<void> {
    const store = this.store;
    if (store?.appendStream === undefined) throw new Error(`store ${this.o.storeId} cannot hold a stream`);
    const entries = batch.map((e) => ({ id: e.id, fields: { record: e.line } }));
    await store.appendStream(this.o.stream, entries, { maxLen: this.o.maxLen, dedupeTtlMs: DEDUPE_TTL_MS });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
