// protocol: etcd — a range over key_prefix gives the complete state at revision R; a watch from R+1 then delivers
// every change in order. A broken stream is re-opened with backoff from the last revision seen, so no change is
// missed; when etcd compacted that revision away, the prefix is listed again. A probe every poll_interval detects a
// silently dead connection. While etcd is unreachable the last known endpoints stay registered.
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from 'pino';
import { isDgpError } from '../../../core/index.js';
import { Backoff, sleep, waitAtMost } from './backoff.js';
import { AUTH_ERROR, EtcdClient, revisionOf, unb64 } from './etcd-client.js';
import { parseEndpointEntry, parseEndpointKey } from './etcd-endpoint.js';
import type { DesiredEndpoint, EndpointSync } from './endpoint-sync.js';
import { authFailed, badResponse, isUnreachable, registryAgent, unreachable } from './http-json.js';
import type { RegistryReporter } from './status.js';
import type { RegistryWatcher, ResolvedRegistry } from './watcher.js';

interface WatchEvent {
  type?: string;
  kv?: { key?: string; value?: string };
}

export class EtcdWatcher implements RegistryWatcher {
  readonly #abort = new AbortController();
  readonly #agent = registryAgent();
  readonly #client: EtcdClient;
  /** The revision up to which every change has been applied. */
  #revision: bigint | undefined;
  /** Keys whose current value is not a valid endpoint (reported as invalid_entries). */
  #invalid = new Set<string>();
  /** Watch streams opened so far; every one after the first that gets established counts as a reconnect. */
  #watchAttempts = 0;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly cfg: ResolvedRegistry,
    private readonly sync: EndpointSync,
    private readonly reporter: RegistryReporter,
    private readonly log: Logger,
  ) {
    this.#client = new EtcdClient({ servers: cfg.servers, username: cfg.username, password: cfg.password, timeoutMs: cfg.timeoutMs, agent: this.#agent, signal: this.#abort.signal });
  }

  async start(): Promise<void> {
    let first!: () => void;
    const firstDone = new Promise<void>((resolve) => (first = resolve));
    this.#loop = this.#run(first);
    await waitAtMost(firstDone, this.cfg.timeoutMs);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#agent.close();
  }

  async #run(firstDone: () => void): Promise<void> {
    const backoff = new Backoff(this.cfg.reconnectMinMs, this.cfg.reconnectMaxMs);
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        if (this.#revision === undefined) await this.#list();
        firstDone();
        await this.#watch(() => backoff.reset());
        if (signal.aborted) break;
        if (this.#revision !== undefined) throw unreachable('the etcd watch stream ended');
        continue; // compacted: list again at once
      } catch (err) {
        if (signal.aborted) break;
        this.reporter.failed(err);
        this.log.warn({ err, registry: this.reporter.name }, `etcd registry ${this.reporter.name}: ${(err as Error).message}; retrying (the last known endpoints stay registered)`);
      }
      firstDone();
      await sleep(backoff.next(), signal);
    }
    firstDone();
  }

  /** The complete state: every key under the prefix, applied as one replacement. */
  async #list(): Promise<void> {
    const { revision, kvs } = await this.#client.rangePrefix(this.cfg.keyPrefix);
    if (this.#abort.signal.aborted) return;
    const desired: DesiredEndpoint[] = [];
    const invalid = new Set<string>();
    for (const kv of kvs) {
      const entry = parseEndpointEntry(this.cfg.keyPrefix, kv.key, kv.value);
      if (!entry.ok) {
        invalid.add(kv.key);
        if (!this.#invalid.has(kv.key)) this.log.error({ code: entry.error.code, key: kv.key, registry: this.reporter.name }, entry.error.message);
      } else if (entry.endpoint !== undefined) {
        desired.push(entry.endpoint);
      }
    }
    this.#invalid = invalid;
    this.sync.replaceAll(desired);
    this.#revision = revision;
    this.reporter.synced(this.sync.size, invalid.size, revision.toString());
  }

  /** One watch stream, until it breaks (throws), ends, or etcd says the revision was compacted (revision reset). */
  async #watch(onEstablished: () => void): Promise<void> {
    const stream = new AbortController();
    const signal = AbortSignal.any([this.#abort.signal, stream.signal]);
    const origin = this.#client.servers.current;
    const isRetry = this.#watchAttempts++ > 0;
    let res;
    try {
      res = await this.#client.openWatch(origin, this.cfg.keyPrefix, this.#revision! + 1n, signal);
    } catch (err) {
      if (isUnreachable(err)) this.#client.servers.markFailed(origin);
      throw err;
    }
    const probe = this.#probeWhile(stream, origin);
    try {
      for await (const msg of jsonLines(res.body)) {
        if (msg.error !== undefined) throw unreachable(`etcd watch error: ${JSON.stringify(msg.error).slice(0, 200)}`);
        const r = (msg.result ?? {}) as Record<string, unknown>;
        if (r.compact_revision !== undefined && r.compact_revision !== '0') {
          this.log.warn({ registry: this.reporter.name, compacted: r.compact_revision, wanted: String(this.#revision! + 1n) }, 'etcd compacted the revision the watch resumes from; listing the prefix again');
          this.#revision = undefined;
          return;
        }
        if (r.canceled === true) {
          const reason = String(r.cancel_reason ?? '');
          if (AUTH_ERROR.test(reason)) {
            this.#client.dropToken();
            throw authFailed(`etcd cancelled the watch: ${reason}`);
          }
          throw badResponse(`etcd cancelled the watch: ${reason || 'no reason given'}`);
        }
        if (r.created === true) {
          if (isRetry) this.reporter.reconnected();
          onEstablished();
          this.reporter.connected(this.#revision!.toString());
        }
        this.#apply(Array.isArray(r.events) ? (r.events as WatchEvent[]) : [], r.header);
      }
    } catch (err) {
      if (signal.aborted && !this.#abort.signal.aborted) throw stream.signal.reason ?? err;
      throw isDgpError(err) ? err : unreachable(`etcd watch stream broke: ${(err as Error).message}`, err);
    } finally {
      stream.abort();
      await probe;
      res.body.destroy();
    }
  }

  #apply(events: readonly WatchEvent[], header: unknown): void {
    for (const ev of events) {
      const key = unb64(ev.kv?.key);
      const where = parseEndpointKey(this.cfg.keyPrefix, key);
      if (ev.type === 'DELETE') {
        this.#invalid.delete(key);
        if (where !== undefined) this.sync.remove(where.cluster, where.id);
        continue;
      }
      const entry = parseEndpointEntry(this.cfg.keyPrefix, key, unb64(ev.kv?.value));
      if (!entry.ok) {
        this.#invalid.add(key);
        this.log.error({ code: entry.error.code, key, registry: this.reporter.name }, entry.error.message);
        // Consistent with a fresh listing, where an invalid value registers nothing.
        if (where !== undefined) this.sync.remove(where.cluster, where.id);
        continue;
      }
      this.#invalid.delete(key);
      if (entry.endpoint !== undefined) this.sync.put(entry.endpoint);
      else if (where !== undefined) this.sync.remove(where.cluster, where.id);
    }
    // Progress notifications and event batches both say: everything up to header.revision has been delivered.
    if ((header as { revision?: unknown } | undefined)?.revision !== undefined) this.#revision = revisionOf(header);
    this.reporter.updated(this.sync.size, this.#invalid.size, this.#revision?.toString());
  }

  /**
   * Every poll_interval while the stream is open: a count-only range on the watch's own server (a silently dead
   * connection gives no error on the stream). A failure aborts the stream with the reason.
   */
  async #probeWhile(stream: AbortController, origin: string): Promise<void> {
    const signal = AbortSignal.any([this.#abort.signal, stream.signal]);
    while (await sleep(this.cfg.pollIntervalMs, signal)) {
      try {
        await this.#client.probe(this.cfg.keyPrefix, origin);
      } catch (err) {
        if (!signal.aborted) stream.abort(err);
        return;
      }
    }
  }
}

/** The watch body: one JSON object per line (grpc-gateway's newline delimiter). */
async function* jsonLines(body: AsyncIterable<Buffer>): AsyncGenerator<Record<string, unknown>> {
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.write(chunk);
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line === '') continue;
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        throw badResponse(`etcd watch: a line is not JSON: ${JSON.stringify(line.slice(0, 120))}`);
      }
      if (msg !== null && typeof msg === 'object') yield msg as Record<string, unknown>;
    }
  }
}
