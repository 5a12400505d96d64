// What each registry reports about itself: the process-wide status board behind GET /ready (a service named
// 'dgp.adapter.llmregistrycenter', so /ready shows it under that detail key) and the dgp_registry_* metrics. Entries are owned by the adapter instance that wrote them, so a reload's new generation
// (started before the old one stops) is never erased by the old one.
import { defineService, isDgpError, type FactoryContext, type ServiceReadiness } from '../../../core/index.js';

export type RegistryState = 'connecting' | 'ok' | 'unreachable';

export interface RegistryStatusView {
  protocol: string;
  /** Comma-separated servers as configured (no credentials). */
  address: string;
  state: RegistryState;
  /** Endpoints currently registered from this registry. */
  endpoints: number;
  /** Entries skipped as invalid: etcd keys whose value is not an endpoint, Nacos instances without a cluster. */
  invalid_entries: number;
  last_sync: string | null;
  last_error: { code: string; message: string; at: string } | null;
  /** etcd: the last revision seen. */
  revision?: string;
}

/** The shared board; `readiness()` is what GET /ready shows under detail['dgp.adapter.llmregistrycenter']. */
export class RegistryStatusBoard {
  readonly #entries = new Map<string, { owner: object; view: RegistryStatusView }>();

  set(name: string, owner: object, view: RegistryStatusView): void {
    this.#entries.set(name, { owner, view });
  }

  /** Removes the entry when `owner` still owns it; true when it did. */
  remove(name: string, owner: object): boolean {
    if (this.#entries.get(name)?.owner !== owner) return false;
    this.#entries.delete(name);
    return true;
  }

  get(name: string): RegistryStatusView | undefined {
    return this.#entries.get(name)?.view;
  }

  /** Always ready: an unreachable registry keeps its last known endpoints serving; its state shows here. */
  readiness(): ServiceReadiness & { registries: Record<string, RegistryStatusView> } {
    const registries: Record<string, RegistryStatusView> = {};
    for (const [name, e] of [...this.#entries].sort(([a], [b]) => a.localeCompare(b))) registries[name] = { ...e.view };
    return { ready: true, registries };
  }
}

export const statusBoardService = defineService<RegistryStatusBoard>({
  name: 'dgp.adapter.llmregistrycenter',
  create: () => new RegistryStatusBoard(),
  readiness: (board) => board.readiness(),
});

export type ChangeKind = 'add' | 'update' | 'remove';

/** One registry's reporter: status board entry + metrics, labelled {registry, protocol}. */
export class RegistryReporter {
  readonly #board: RegistryStatusBoard;
  readonly #labels: { registry: string; protocol: string };
  readonly #m;
  readonly #view: RegistryStatusView;

  constructor(
    ctx: Pick<FactoryContext, 'metrics' | 'services'>,
    readonly name: string,
    protocol: string,
    address: string,
  ) {
    this.#board = ctx.services.get(statusBoardService);
    this.#labels = { registry: name, protocol };
    this.#m = registryMetrics(ctx.metrics);
    this.#view = { protocol, address, state: 'connecting', endpoints: 0, invalid_entries: 0, last_sync: null, last_error: null };
  }

  /** Publishes this registry on the board (called by start); dgp_registry_up appears with the first result. */
  publish(): void {
    this.#board.set(this.name, this, this.#view);
  }

  /** Withdraws it (called by stop); metric series go too unless a newer generation took the name over. */
  withdraw(): void {
    if (!this.#board.remove(this.name, this)) return;
    for (const g of [this.#m.up, this.#m.endpoints, this.#m.lastSuccess]) g.remove(this.#labels);
  }

  synced(endpoints: number, invalid: number, revision?: string): void {
    const now = new Date();
    Object.assign(this.#view, { state: 'ok', endpoints, invalid_entries: invalid, last_sync: now.toISOString() });
    if (revision !== undefined) this.#view.revision = revision;
    this.#m.up.set(this.#labels, 1);
    this.#m.endpoints.set(this.#labels, endpoints);
    this.#m.lastSuccess.set(this.#labels, now.getTime() / 1000);
    this.#m.syncs.inc({ ...this.#labels, result: 'success' });
  }

  /** etcd: a watch stream is established again (without a new listing). */
  connected(revision: string): void {
    Object.assign(this.#view, { state: 'ok', revision });
    this.#m.up.set(this.#labels, 1);
  }

  /** An incremental update (etcd watch event) was applied. */
  updated(endpoints: number, invalid: number, revision?: string): void {
    this.#view.endpoints = endpoints;
    this.#view.invalid_entries = invalid;
    if (revision !== undefined) this.#view.revision = revision;
    this.#m.endpoints.set(this.#labels, endpoints);
  }

  failed(err: unknown): void {
    const code = isDgpError(err) ? err.code : 'DGP_ERR_REGISTRY_UNREACHABLE';
    const message = err instanceof Error ? err.message : String(err);
    Object.assign(this.#view, { state: 'unreachable', last_error: { code, message, at: new Date().toISOString() } });
    this.#m.up.set(this.#labels, 0);
    this.#m.syncs.inc({ ...this.#labels, result: 'failure' });
  }

  changed(kind: ChangeKind): void {
    this.#m.changes.inc({ ...this.#labels, change: kind });
  }

  reconnected(): void {
    this.#m.reconnects.inc(this.#labels);
  }

  get view(): Readonly<RegistryStatusView> {
    return this.#view;
  }
}

function registryMetrics(metrics: FactoryContext['metrics']) {
  const labelNames = ['registry', 'protocol'] as const;
  return {
    up: metrics.gauge({ name: 'dgp_registry_up', help: '1 when the last call to the registry succeeded, 0 while it is unreachable.', labelNames }),
    endpoints: metrics.gauge({ name: 'dgp_registry_endpoints', help: 'Endpoints currently registered in the cluster manager from this registry.', labelNames }),
    lastSuccess: metrics.gauge({ name: 'dgp_registry_last_sync_timestamp_seconds', help: 'Unix time of the last successful full listing.', labelNames }),
    syncs: metrics.counter({ name: 'dgp_registry_syncs_total', help: 'Full listings (Nacos polls, etcd range listings) and failed registry calls, by result: success or failure.', labelNames: [...labelNames, 'result'] as const }),
    changes: metrics.counter({ name: 'dgp_registry_endpoint_changes_total', help: 'Endpoints added, updated or removed in the cluster manager.', labelNames: [...labelNames, 'change'] as const }),
    reconnects: metrics.counter({ name: 'dgp_registry_watch_reconnects_total', help: 'etcd: watch streams re-established after a break.', labelNames }),
  };
}
