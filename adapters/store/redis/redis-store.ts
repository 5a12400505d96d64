// The Redis Store: one ioredis client per (deep-equal) config, shared across reloads as a service. Counters,
// reservations and rate-limit admissions run as server-side scripts, so they are atomic across every gateway instance
// using the same Redis.
// Any transport failure becomes DGP_ERR_STORE_UNAVAILABLE within command_timeout; Redis's own errors pass through.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  checkAdmitRequest, checkHoldRequest, checkReconcileRequest, checkReserveItems, isDgpError, type AdmitRequest, type AdmitResult,
  type HoldRequest, type HoldResult, type ReconcileRequest, type ReserveItem, type ReserveResult, type ServiceReadiness,
  type SettleRequest, type SettleResult, type Store, type StreamAppendOptions, type StreamEntry,
} from '../../../core/index.js';
import { redisConnection } from './connection.js';
import { storeUnavailable } from './errors.js';
import type { RedisStoreConfig } from './schema.js';
import { ADMIT, RECONCILE } from './limit-scripts.js';
import { HOLD, INCR_WITH_TTL, RESERVE, SETTLE, XADD_ONCE } from './scripts.js';

export const REDIS_STORE_KIND = 'dgp.adapter.store.redis';

type ScriptClient = Redis & {
  dgpIncr(key: string, by: number, ttlMs: number): Promise<number>;
  dgpReserve(...args: Array<string | number>): Promise<number[]>;
  dgpHold(...args: Array<string | number>): Promise<number[]>;
  dgpSettle(...args: Array<string | number>): Promise<number[]>;
  dgpAdmit(...args: Array<string | number>): Promise<number[]>;
  dgpReconcile(...args: Array<string | number>): Promise<number>;
  dgpXaddOnce(...args: Array<string | number>): Promise<number>;
};

/** The four keys HOLD and SETTLE keep per counter. */
const holdKeys = (key: string): string[] => [key, `${key}:holds`, `${key}:leases`, `${key}:held`];

export class RedisStore implements Store {
  readonly kind = REDIS_STORE_KIND;
  readonly address: string;
  readonly #client: ScriptClient;
  readonly #connectTimeoutMs: number;
  #lastError: string | undefined;
  #closed = false;

  constructor(config: Readonly<RedisStoreConfig>, log: Logger) {
    const conn = redisConnection(config);
    this.address = conn.address;
    this.#connectTimeoutMs = conn.connectTimeoutMs;
    this.#client = new Redis(conn.options) as ScriptClient;
    this.#client.defineCommand('dgpIncr', { numberOfKeys: 1, lua: INCR_WITH_TTL });
    this.#client.defineCommand('dgpReserve', { lua: RESERVE });
    this.#client.defineCommand('dgpHold', { lua: HOLD });
    this.#client.defineCommand('dgpSettle', { lua: SETTLE });
    this.#client.defineCommand('dgpAdmit', { lua: ADMIT });
    this.#client.defineCommand('dgpReconcile', { lua: RECONCILE });
    this.#client.defineCommand('dgpXaddOnce', { numberOfKeys: 2, lua: XADD_ONCE });
    // Without an 'error' listener ioredis would crash the process; log each outage once, not every retry.
    this.#client.on('error', (err: Error) => {
      if (this.#lastError === undefined) log.warn({ address: this.address, err: err.message }, `redis ${this.address} unreachable; calls fail with DGP_ERR_STORE_UNAVAILABLE until it is back`);
      this.#lastError = err.message;
    });
    this.#client.on('ready', () => {
      if (this.#lastError !== undefined) log.info({ address: this.address }, `redis ${this.address} reachable again`);
      this.#lastError = undefined;
    });
    this.#client.connect().catch(() => undefined); // failures arrive as 'error' events and reconnect on their own
  }

  /** Resolves once connected, or after connect_timeout (never rejects): readiness tells which. */
  async whenReady(): Promise<void> {
    if (this.#client.status === 'ready' || this.#closed) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, this.#connectTimeoutMs);
      this.#client.once('ready', done);
    });
  }

  get(key: string): Promise<string | undefined> {
    return this.#call(async () => (await this.#client.get(key)) ?? undefined);
  }

  set(key: string, value: string, opts: { ttlMs?: number } = {}): Promise<void> {
    const ttl = opts.ttlMs;
    return this.#call(async () => void (ttl !== undefined && ttl > 0 ? await this.#client.set(key, value, 'PX', ttl) : await this.#client.set(key, value)));
  }

  delete(key: string): Promise<boolean> {
    return this.#call(async () => (await this.#client.del(key)) > 0);
  }

  incrBy(key: string, by: number, opts: { ttlMs?: number } = {}): Promise<number> {
    if (!Number.isSafeInteger(by)) return Promise.reject(new TypeError(`incrBy: by must be a safe integer, got ${by}`));
    return this.#call(() => this.#client.dgpIncr(key, by, opts.ttlMs ?? 0));
  }

  async reserve(items: readonly ReserveItem[]): Promise<ReserveResult> {
    checkReserveItems(items);
    if (items.length === 0) return { ok: true, values: [] };
    const args = [items.length, ...items.map((it) => it.key), ...items.flatMap((it) => [it.amount, it.limit, it.ttlMs ?? 0])];
    const reply = await this.#call(() => this.#client.dgpReserve(...args));
    const [ok, failed, ...values] = reply.map(Number);
    return ok === 1 ? { ok: true, values } : { ok: false, failed: failed!, values };
  }

  setIfAbsent(key: string, value: string, opts: { ttlMs?: number } = {}): Promise<boolean> {
    const ttl = opts.ttlMs;
    return this.#call(async () => (ttl !== undefined && ttl > 0 ? await this.#client.set(key, value, 'PX', ttl, 'NX') : await this.#client.set(key, value, 'NX')) === 'OK');
  }

  async hold(req: HoldRequest): Promise<HoldResult> {
    checkHoldRequest(req);
    const counters = req.items.flatMap((it) => holdKeys(it.key));
    const keys = req.marker === undefined ? counters : [req.marker, ...counters];
    const args = [keys.length, ...keys, req.id, req.leaseMs, req.marker === undefined ? 0 : 1, ...req.items.flatMap((it) => [it.amount, it.limit, it.ttlMs ?? 0])];
    const [code, flag, ...rest] = (await this.#call(() => this.#client.dgpHold(...args))).map(Number);
    const n = req.items.length;
    if (code === 2) return { ok: false, reason: 'settled' };
    if (code === 3) return { ok: false, reason: 'missing', failed: flag! };
    const settled = rest.slice(0, n);
    const held = rest.slice(n, 2 * n);
    return code === 1 ? { ok: true, duplicate: flag === 1, settled, held } : { ok: false, reason: 'limit', failed: flag!, settled, held };
  }

  async settle(req: SettleRequest): Promise<SettleResult> {
    checkHoldRequest(req);
    const counters = req.items.flatMap((it) => holdKeys(it.key));
    const keys = req.marker === undefined ? counters : [req.marker, ...counters];
    const args = [keys.length, ...keys, req.id, req.marker === undefined ? 0 : req.markerTtlMs!, req.marker === undefined ? 0 : 1, ...req.items.map((it) => it.amount)];
    const [applied, ...settled] = (await this.#call(() => this.#client.dgpSettle(...args))).map(Number);
    return applied === 1 ? { applied: true, settled } : { applied: false };
  }

  /** One script call: every rate cell and lease of the request is checked, then all are taken or none. */
  async admit(req: AdmitRequest): Promise<AdmitResult> {
    checkAdmitRequest(req);
    const keys = [...req.rates.map((c) => c.key), ...req.leases.map((c) => c.key)];
    const args = [keys.length, ...keys, req.id, req.leaseMs, req.rates.length, ...req.rates.flatMap((c) => [c.cost, c.limit, c.periodMs]), ...req.leases.map((c) => c.limit)];
    const [kind, index, retryAfterMs, ...rest] = (await this.#call(() => this.#client.dgpAdmit(...args))).map(Number);
    const nr = req.rates.length;
    const rates = req.rates.map((_, i) => ({ remaining: rest[2 * i]!, resetMs: rest[2 * i + 1]! }));
    const leases = rest.slice(2 * nr, 2 * nr + req.leases.length);
    if (kind === 0) return { ok: true, rates, leases };
    return { ok: false, failed: { kind: kind === 1 ? 'rate' : 'lease', index: index! }, retryAfterMs: retryAfterMs!, rates, leases };
  }

  async reconcile(req: ReconcileRequest): Promise<void> {
    checkReconcileRequest(req);
    if (req.rates.length === 0 && req.leases.length === 0) return;
    const keys = [...req.rates.map((c) => c.key), ...req.leases];
    const args = [keys.length, ...keys, req.id, req.rates.length, ...req.rates.flatMap((c) => [c.delta, c.limit, c.periodMs])];
    await this.#call(() => this.#client.dgpReconcile(...args));
  }

  /** Audit streams: one XADD per entry, guarded by a marker key per entry id (sent together, one round trip). */
  async appendStream(stream: string, entries: readonly StreamEntry[], opts: StreamAppendOptions): Promise<number> {
    const replies = await this.#call(() =>
      Promise.all(entries.map((e) => this.#client.dgpXaddOnce(stream, `${stream}:seen:${e.id}`, opts.maxLen, opts.dedupeTtlMs, ...Object.entries(e.fields).flat()))),
    );
    return replies.reduce((n, r) => n + Number(r), 0);
  }

  readiness(): ServiceReadiness {
    const status = this.#client.status;
    // Between a killed socket and ioredis's 'close' event the status still says ready, but nothing can be written.
    const writable = (this.#client as { stream?: { writable?: boolean } }).stream?.writable !== false;
    if (status === 'ready' && writable) return { ready: true, address: this.address };
    const why = this.#lastError ? `: ${this.#lastError}` : '';
    return { ready: false, address: this.address, status, reason: `redis ${this.address} is not connected (${status}${why})` };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.status === 'ready') await this.#client.quit().catch(() => this.#client.disconnect());
    else this.#client.disconnect();
  }

  async #call<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closed) throw storeUnavailable(`store redis ${this.address} is closed`);
    try {
      return await run();
    } catch (err) {
      if (isDgpError(err) || (err as Error).name === 'ReplyError') throw err;
      const message = `redis ${this.address} unavailable: ${(err as Error).message}`;
      throw storeUnavailable(message, { cause: err, hint: 'check that Redis is up and reachable; GET /ready shows the store state' });
    }
  }
}
