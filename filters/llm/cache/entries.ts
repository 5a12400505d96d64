// Reading and writing records through the backend, failing open: a store call that fails is counted and logged and
// reads as nothing there, so a broken store makes misses, never errors.
import type { Logger } from 'pino';
import { LruBackend, type CacheBackend } from './backend.js';
import type { CacheMetrics } from './metrics.js';
import { parseRecord, type CacheRecord } from './record.js';

export class Entries {
  constructor(readonly backend: CacheBackend, private readonly metrics: CacheMetrics, private readonly log: Pick<Logger, 'warn'>) {}

  /** A store call that fails open: undefined when it failed. */
  async try<T>(op: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      this.metrics.storeErrors.inc({ op });
      this.log.warn({ op, err: (err as Error).message }, 'cache: store call failed; served as a miss');
      return undefined;
    }
  }

  /** The record under `key`, when there is one younger than `maxAge` seconds (any age when undefined). */
  async read(key: string, maxAge: number | undefined): Promise<CacheRecord | undefined> {
    const b = this.backend;
    let rec: CacheRecord | undefined;
    if (b instanceof LruBackend) {
      rec = b.getParsed(key, parseRecord);
    } else {
      const text = await this.try('get', () => b.get(key));
      rec = text === undefined ? undefined : parseRecord(text);
    }
    if (rec === undefined) return undefined;
    const age = (Date.now() - rec.stored_at) / 1000;
    return maxAge !== undefined && age > maxAge ? undefined : rec;
  }

  /** Writes a record no larger than `maxBytes`; true once written. */
  async write(key: string, rec: CacheRecord, ttlMs: number, maxBytes: number): Promise<boolean> {
    const text = JSON.stringify(rec);
    if (text.length > maxBytes) return false;
    const b = this.backend;
    if (b instanceof LruBackend) {
      b.setParsed(key, text, ttlMs, parseRecord, rec);
    } else {
      const ok = await this.try('set', async () => (await b.set(key, text, ttlMs), true));
      if (ok !== true) return false;
    }
    this.metrics.stored.inc();
    if (this.backend instanceof LruBackend) this.metrics.lruBytes(this.backend.bytes);
    return true;
  }
}
