// protocol: nacos — polls the group's service list and every service's instances (immediately, then every
// poll_interval; sooner with backoff after a failure) and hands the complete state to EndpointSync, which applies
// only the differences. Unlike Pixiu, a service that disappears takes its endpoints with it (spec §8.4 item 29);
// while Nacos is unreachable nothing is removed.
import type { Logger } from 'pino';
import { NacosClient } from './nacos-client.js';
import { endpointsOfInstances } from './nacos-endpoint.js';
import type { DesiredEndpoint, EndpointSync } from './endpoint-sync.js';
import { Backoff, sleep, waitAtMost } from './backoff.js';
import type { RegistryReporter } from './status.js';
import { registryAgent } from './http-json.js';
import type { RegistryWatcher, ResolvedRegistry } from './watcher.js';

/** Instance lists fetched at the same time; enough to list hundreds of services within one timeout. */
const CONCURRENCY = 8;

export class NacosWatcher implements RegistryWatcher {
  readonly #abort = new AbortController();
  readonly #agent = registryAgent();
  readonly #client: NacosClient;
  /** Each service's endpoints from its last successful instance list, reused when one list fails. */
  #lastByService = new Map<string, { endpoints: DesiredEndpoint[]; skipped: number }>();
  /** Duplicate ids already warned about, so a poll every 30 s does not repeat the warning. */
  readonly #dupWarned = new Set<string>();
  #loop: Promise<void> | undefined;

  constructor(
    private readonly cfg: ResolvedRegistry,
    private readonly sync: EndpointSync,
    private readonly reporter: RegistryReporter,
    private readonly log: Logger,
  ) {
    this.#client = new NacosClient({
      servers: cfg.servers,
      contextPath: cfg.contextPath,
      namespace: cfg.namespace,
      group: cfg.group,
      username: cfg.username,
      password: cfg.password,
      timeoutMs: cfg.timeoutMs,
      agent: this.#agent,
      signal: this.#abort.signal,
    });
  }

  /** Starts polling; resolves after the first poll, or after `timeout` if the first poll takes longer. */
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

  /** One complete poll. Public for tests that drive the poll by hand. */
  async poll(): Promise<void> {
    const services = await this.#client.listServices();
    const next = new Map<string, { endpoints: DesiredEndpoint[]; skipped: number }>();
    const failures: unknown[] = [];
    const queue = [...services];
    const worker = async (): Promise<void> => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
        try {
          next.set(s, endpointsOfInstances(s, await this.#client.listInstances(s), this.log));
        } catch (err) {
          failures.push(err);
          const last = this.#lastByService.get(s);
          if (last !== undefined) next.set(s, last);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    if (this.#abort.signal.aborted) return;
    this.#lastByService = next;
    this.sync.replaceAll(this.#dedupe(services, next), failures.length === 0);
    const skipped = [...next.values()].reduce((n, s) => n + s.skipped, 0);
    if (failures.length > 0) throw failures[0];
    this.reporter.synced(this.sync.size, skipped);
  }

  async #run(firstDone: () => void): Promise<void> {
    const backoff = new Backoff(this.cfg.reconnectMinMs, this.cfg.reconnectMaxMs);
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      let wait = this.cfg.pollIntervalMs;
      try {
        await this.poll();
        backoff.reset();
      } catch (err) {
        if (signal.aborted) break;
        this.reporter.failed(err);
        this.log.warn({ err, registry: this.reporter.name }, `nacos registry ${this.reporter.name} poll failed; the last known endpoints stay registered`);
        wait = Math.min(wait, backoff.next());
      }
      firstDone();
      await sleep(wait, signal);
    }
    firstDone();
  }

  /** One endpoint per cluster and id: the first service (in list order) that names it wins. */
  #dedupe(services: readonly string[], byService: Map<string, { endpoints: DesiredEndpoint[] }>): DesiredEndpoint[] {
    const seen = new Map<string, string>();
    const out: DesiredEndpoint[] = [];
    for (const service of services) {
      for (const d of byService.get(service)?.endpoints ?? []) {
        const key = `${d.cluster}\u0000${d.input.id}`;
        const owner = seen.get(key);
        if (owner !== undefined) {
          if (this.#dupWarned.has(`${key}\u0000${service}`)) continue;
          this.#dupWarned.add(`${key}\u0000${service}`);
          this.log.warn({ cluster: d.cluster, endpoint: d.input.id, service, first: owner }, `nacos endpoint id ${d.input.id} in cluster ${d.cluster} is registered by services ${owner} and ${service}; the first one is used`);
          continue;
        }
        seen.set(key, service);
        out.push(d);
      }
    }
    return out;
  }
}
