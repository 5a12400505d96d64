// Applies what a registry says to the cluster manager, as differences: endpoints that appeared are set, changed ones
// set again, vanished ones deleted (Pixiu leaves them; spec §8.4 item 29). Only endpoints carrying this registry's
// source are ever touched, so a conf.yaml endpoint or another registry's endpoint with the same id is left alone.
import type { Logger } from 'pino';
import type { ClusterManagerApi, EndpointInput } from '../../../core/index.js';
import type { ChangeKind } from './status.js';

/** One endpoint a registry wants registered: its cluster and an input with an explicit id. */
export interface DesiredEndpoint {
  readonly cluster: string;
  readonly input: EndpointInput & { id: string };
}

const keyOf = (cluster: string, id: string): string => `${cluster}\u0000${id}`;

/** JSON with sorted object keys: two equal inputs give the same text whatever order their fields came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export class EndpointSync {
  /** What this registry has applied: key → canonical input. */
  readonly #applied = new Map<string, { cluster: string; id: string; text: string }>();
  /** Keys already warned about (owned by another source), so a poll every 30 s does not repeat the warning. */
  readonly #warned = new Set<string>();
  #reconciled = false;

  constructor(
    private readonly clusters: ClusterManagerApi,
    readonly source: string,
    private readonly log: Logger,
    private readonly onChange: (kind: ChangeKind) => void = () => {},
  ) {}

  get size(): number {
    return this.#applied.size;
  }

  /**
   * The registry's current state. The first complete one also removes endpoints with this source that a previous
   * generation registered (carried over by the reload) and that the registry no longer lists; `complete: false`
   * (some part of the listing failed) postpones that clean-up.
   */
  replaceAll(desired: Iterable<DesiredEndpoint>, complete = true): void {
    const wanted = new Map<string, DesiredEndpoint>();
    for (const d of desired) wanted.set(keyOf(d.cluster, d.input.id), d);
    if (complete && !this.#reconciled) {
      this.#reconciled = true;
      for (const cluster of this.clusters.clusterNames()) {
        for (const ep of this.clusters.endpoints(cluster)) {
          if (ep.source === this.source && !wanted.has(keyOf(cluster, ep.id))) this.#delete(cluster, ep.id);
        }
      }
    }
    for (const [key, a] of [...this.#applied]) if (!wanted.has(key)) this.remove(a.cluster, a.id);
    for (const d of wanted.values()) this.put(d);
  }

  /** Adds or updates one endpoint; nothing happens when it is unchanged. */
  put(d: DesiredEndpoint): void {
    const { cluster, input } = d;
    const key = keyOf(cluster, input.id);
    const text = canonical(input);
    const known = this.#applied.get(key);
    if (known?.text === text) return;
    const before = this.clusters.getEndpoint(cluster, input.id);
    if (before !== undefined && before.source !== this.source) {
      if (!this.#warned.has(key)) {
        this.#warned.add(key);
        this.log.warn(
          { cluster, endpoint: input.id, source: before.source },
          `endpoint ${input.id} in cluster ${cluster} already comes from ${before.source}; the ${this.source} entry with the same id is ignored`,
        );
      }
      return;
    }
    this.#warned.delete(key);
    const after = this.clusters.setEndpoint(cluster, input, this.source);
    this.#applied.set(key, { cluster, id: input.id, text });
    const kind: ChangeKind | undefined = before === undefined ? 'add' : before !== after ? 'update' : undefined;
    if (kind === undefined) return;
    this.onChange(kind);
    this.log.info({ cluster, endpoint: input.id, authority: after.authority, source: this.source }, `registry endpoint ${kind === 'add' ? 'added' : 'updated'}`);
  }

  /** Removes one endpoint this registry registered; a no-op otherwise. */
  remove(cluster: string, id: string): void {
    const key = keyOf(cluster, id);
    this.#warned.delete(key);
    if (!this.#applied.delete(key)) return;
    this.#delete(cluster, id);
  }

  #delete(cluster: string, id: string): void {
    const current = this.clusters.getEndpoint(cluster, id);
    if (current === undefined || current.source !== this.source) return;
    this.clusters.deleteEndpoint(cluster, id);
    this.onChange('remove');
    this.log.info({ cluster, endpoint: id, source: this.source }, 'registry endpoint removed');
  }
}
