// Process-wide undici pools, one per endpoint origin and connection settings. Held outside config generations
// (FactoryContext.shared) so a reload that keeps an origin keeps its warm connections.
import { createHash } from 'node:crypto';
import { Client, Pool, type Dispatcher } from 'undici';
import { preciseConnector, type ConnectorOptions } from './connector.js';

export interface UpstreamPoolOptions {
  /** Max sockets to the origin; 0 = unlimited (Pixiu maxConnsPerHost). */
  connections: number;
  /** Idle keep-alive, ms. Keep it below the upstream's so the upstream never closes a socket we are reusing. */
  keepAliveTimeout: number;
  /** TCP + TLS connect timeout, ms, enforced to the millisecond (see connector.ts); 0 disables. */
  connectTimeout: number;
  /** Time to response headers, ms; 0 disables. Per-request values override. */
  headersTimeout: number;
  /** Max silence between body chunks, ms; 0 disables. Per-request values override. */
  bodyTimeout: number;
  /** Extra PEM CA certificates (self-hosted TLS). Certificates are always verified. */
  ca?: string | readonly string[];
}

export interface UpstreamPoolStats {
  origin: string;
  connected: number;
  free: number;
  pending: number;
  queued: number;
  running: number;
  size: number;
}

interface Entry {
  origin: string;
  pool: Pool;
  lastUsed: number;
}

// Pools of origins nobody asked for in this long are closed lazily (registry churn would otherwise grow the map).
const IDLE_POOL_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 60_000;

/**
 * The undici Pool options for one entry; exported so tests can read back the effective timeouts. `connect` holds the
 * connector's options: the pool gets them wrapped by preciseConnector, which enforces `connect.timeout` itself.
 */
export function undiciPoolOptions(opts: UpstreamPoolOptions): Pool.Options {
  return {
    connections: opts.connections > 0 ? opts.connections : null,
    keepAliveTimeout: opts.keepAliveTimeout,
    // A server's Keep-Alive hint may shorten our idle time, never lengthen it.
    keepAliveMaxTimeout: opts.keepAliveTimeout,
    headersTimeout: opts.headersTimeout,
    bodyTimeout: opts.bodyTimeout,
    pipelining: 1,
    connect: {
      // 0, not null: null would mean undici's 10 s default, and connect_timeout 0 means none.
      timeout: Math.max(0, opts.connectTimeout),
      ...(opts.ca === undefined ? {} : { ca: opts.ca as string | string[] }),
    },
  } as Pool.Options;
}

/** The settings part of a pool key, computed once per options object (it hashes the CA bundle). */
const settingsKeys = new WeakMap<UpstreamPoolOptions, string>();

/** How each pool was made, so a one-shot connection to the same origin can be made alike. */
const madeAs = new WeakMap<Dispatcher, { origin: string; options: Pool.Options }>();

function createPool(origin: string, opts: UpstreamPoolOptions): Pool {
  const options = undiciPoolOptions(opts);
  const pool = new Pool(origin, { ...options, connect: preciseConnector(options.connect as ConnectorOptions) });
  madeAs.set(pool, { origin, options });
  return pool;
}

/**
 * A dispatcher that sends one request on a new connection to `pool`'s origin, made with the pool's settings, and
 * closes that connection once the response is over: for the one resend after the keep-alive race, which must not
 * land on another idle socket the server may have closed as well. undefined for a dispatcher UpstreamPools did not make.
 */
export function freshConnection(pool: Dispatcher): Pick<Dispatcher, 'dispatch'> | undefined {
  const made = madeAs.get(pool);
  if (made === undefined) return undefined;
  const { connections: _perPool, ...options } = made.options;
  return {
    dispatch(opts, handler) {
      const client = new Client(made.origin, { ...options, connect: preciseConnector(options.connect as ConnectorOptions) } as Client.Options);
      const queued = client.dispatch(opts, handler);
      // Graceful: the connection closes after this request's response, not before.
      client.close().catch(() => undefined);
      return queued;
    },
  };
}

function keyOf(origin: string, opts: UpstreamPoolOptions): string {
  let settings = settingsKeys.get(opts);
  if (settings === undefined) {
    const ca = opts.ca === undefined ? '' : createHash('sha256').update([opts.ca].flat().join('\n')).digest('hex');
    const o = opts;
    settings = `|${o.connections}|${o.keepAliveTimeout}|${o.connectTimeout}|${o.headersTimeout}|${o.bodyTimeout}|${ca}`;
    settingsKeys.set(opts, settings);
  }
  return origin + settings;
}

export class UpstreamPools {
  readonly #entries = new Map<string, Entry>();
  #lastSweep = Date.now();
  #closed = false;

  /**
   * The pool for `origin` (`http://host:port`) with these settings, created on first use. An options object is read
   * once and remembered: pass a new object, not a changed one, for other settings.
   */
  get(origin: string, opts: UpstreamPoolOptions): Pool {
    if (this.#closed) throw new Error('UpstreamPools is closed');
    const now = Date.now();
    if (now - this.#lastSweep >= SWEEP_EVERY_MS) this.#sweep(now);
    const key = keyOf(origin, opts);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { origin, pool: createPool(origin, opts), lastUsed: now };
      this.#entries.set(key, entry);
    }
    entry.lastUsed = now;
    return entry.pool;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** undici's counters per pool: `running + pending + queued` is 0 when no request is in flight. */
  stats(): UpstreamPoolStats[] {
    return [...this.#entries.values()].map(({ origin, pool }) => {
      const s = pool.stats;
      return { origin, connected: s.connected, free: s.free, pending: s.pending, queued: s.queued, running: s.running, size: s.size };
    });
  }

  /** Closes every pool (graceful: in-flight requests finish first). */
  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#entries.values()].map((e) => e.pool);
    this.#entries.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
  }

  /** Closes every pool at once, failing in-flight requests. */
  async destroy(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#entries.values()].map((e) => e.pool);
    this.#entries.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }

  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [key, e] of this.#entries) {
      const s = e.pool.stats;
      if (now - e.lastUsed >= IDLE_POOL_MS && s.running + s.pending + s.queued === 0) {
        this.#entries.delete(key);
        void e.pool.close().catch(() => undefined);
      }
    }
  }
}
