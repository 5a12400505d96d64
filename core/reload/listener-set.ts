// The bound listener sockets, keyed by address:port, and how a new generation's listener specs are staged against
// them: kept addresses keep their socket (updated in place at the swap), new ones are bound BEFORE the swap (a port
// that cannot be bound fails the reload), and removed or moved ones stop accepting at the swap and drain.
import type { Logger } from 'pino';
import type { HttpConnectionManager } from '../http/hcm.js';
import { ListenerHost, listenerKey, type ListenerSpec, type ListenerUpdate } from '../http/listener.js';

/** A listener problem tied to its place in conf.yaml (the index in static_resources.listeners). */
export class ListenerStageError extends Error {
  constructor(
    readonly error: unknown,
    readonly listenerIndex: number,
    readonly field: 'port' | 'tls',
  ) {
    super((error as Error).message);
  }
}

export interface StagedListeners {
  readonly fresh: ListenerHost[];
  readonly updates: ListenerUpdate[];
  readonly keys: Set<string>;
  readonly restartRequired: string[];
}

export class ListenerSet {
  private readonly hosts = new Map<string, ListenerHost>();

  constructor(private readonly log: Logger) {}

  /** Binds what is new and checks what is kept; on any failure nothing stays bound and ListenerStageError is thrown. */
  async stage(specs: readonly ListenerSpec[]): Promise<StagedListeners> {
    const staged: StagedListeners = { fresh: [], updates: [], keys: new Set(), restartRequired: [] };
    for (const [i, spec] of specs.entries()) {
      const key = keyOf(spec);
      const kept = this.hosts.get(key);
      let failing: 'port' | 'tls' = 'tls'; // which config line a failure points at: the cert files, or the port
      try {
        if (kept) {
          const update = kept.prepareUpdate(spec);
          staged.updates.push(update);
          staged.restartRequired.push(...update.restartRequired);
          staged.keys.add(key);
          continue;
        }
        const host = new ListenerHost(spec, this.log);
        staged.fresh.push(host);
        staged.keys.add(key);
        failing = 'port';
        await host.listen();
      } catch (err) {
        await this.discard(staged);
        throw new ListenerStageError(err, i, failing);
      }
    }
    return staged;
  }

  async discard(staged: StagedListeners): Promise<void> {
    await Promise.all(staged.fresh.map((h) => (h.server.listening ? h.close(0) : undefined)));
  }

  /**
   * The swap: new sockets join, kept ones take their update, every listener of the generation points at its new
   * connection manager, and sockets the new config no longer names stop accepting and drain within `graceMs`.
   */
  commit(staged: StagedListeners, specs: readonly ListenerSpec[], hcms: ReadonlyMap<string, HttpConnectionManager>, graceMs: number): void {
    for (const h of staged.fresh) this.hosts.set(keyOf(h.spec), h);
    for (const u of staged.updates) u.commit();
    for (const spec of specs) {
      const host = this.hosts.get(keyOf(spec));
      if (host) host.hcm = hcms.get(spec.name);
    }
    for (const [key, host] of this.hosts) {
      if (staged.keys.has(key)) continue;
      // A removed listener keeps its (old) connection manager for the requests it is still serving while it drains.
      this.hosts.delete(key);
      void host.close(graceMs).catch((err: unknown) => this.log.error({ err, listener: host.spec.name }, 'listener close failed'));
    }
  }

  /** Cuts the requests still in flight on these connection managers, on every socket. */
  cut(hcms: Iterable<HttpConnectionManager>): number {
    let n = 0;
    for (const hcm of hcms) for (const host of this.hosts.values()) n += host.cut(hcm);
    return n;
  }

  ports(): Record<string, number> {
    return Object.fromEntries([...this.hosts.values()].map((h) => [h.spec.name, h.port]));
  }

  port(name: string): number | undefined {
    for (const host of this.hosts.values()) if (host.spec.name === name) return host.port;
    return undefined;
  }

  get size(): number {
    return this.hosts.size;
  }

  async closeAll(graceMs: number): Promise<void> {
    const all = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(all.map((h) => h.close(graceMs)));
  }
}

// Port 0 means "any free port": such a listener is identified by its name too, so several can coexist and each keeps
// its ephemeral socket across reloads as long as its name and address stay the same.
const keyOf = (spec: ListenerSpec): string => (spec.port === 0 ? `${listenerKey(spec.address, 0)}#${spec.name}` : listenerKey(spec.address, spec.port));
