// A generation: everything built from one config — clusters, each listener's connection manager and filter
// instances, adapters. Built off to the side (build-generation.ts), swapped in by the gateway, retired with lease
// counting: filter instances are closed once the last request that started on this generation has finished.
import type { Logger } from 'pino';
import type { AdapterInstance, HttpFilter } from '../plugin-api.js';
import type { WorkerPoolApi } from '../factory-api.js';
import type { AdmissionControl } from '../admission/admission.js';
import type { ServiceRegistry, ServiceScope } from '../services/registry.js';
import type { BootstrapConfig } from '../config/schema/index.js';
import { AdminRouteTable } from '../admin/route-table.js';
import { TIMED_OUT, within } from '../deadline.js';
import type { ClusterManager } from '../cluster/index.js';
import type { HttpConnectionManager } from '../http/hcm.js';
import type { Audit } from '../observability/audit/service.js';
import type { Tracing } from '../observability/tracing/tracing.js';
import type { ListenerSpec } from '../http/listener.js';
import type { HostMetrics } from '../observability/metrics.js';
import type { PluginRegistry } from '../registry/index.js';

export interface HostServices {
  log: Logger;
  metrics: HostMetrics;
  workers: WorkerPoolApi;
  /** The host's service registry; each generation holds its services through its own scope. */
  services: ServiceRegistry;
  configDir: string;
  draining(): boolean;
  /** The process's admission control (outlives generations; configured at the swap). */
  admission?: AdmissionControl;
  /** Counts active health probes (the gateway's metric). */
  onProbe?: (cluster: string, id: string, ok: boolean) => void;
}

let nextGenerationId = 1;

export class Generation {
  readonly id = nextGenerationId++;
  readonly hcms = new Map<string, HttpConnectionManager>();
  readonly listenerSpecs: ListenerSpec[] = [];
  readonly filters: Array<{ kind: string; instance: HttpFilter }> = [];
  readonly adapters: Array<{ kind: string; id: string; instance: AdapterInstance }> = [];
  readonly abort = new AbortController();
  /** The plugins' admin routes: they serve exactly while this generation does. */
  readonly adminRoutes = new AdminRouteTable();
  /** The audit pipeline and tracer of this generation's config (host services, shared while the config is unchanged). */
  audit: Audit | undefined;
  tracing: Tracing | undefined;
  private leases = 0;
  private retired = false;
  private closing: Promise<void> | undefined;
  private forceTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly config: BootstrapConfig,
    readonly clusters: ClusterManager,
    readonly registry: PluginRegistry,
    private readonly log: Logger,
    /** The services this generation's factories use; released (maybe closing them) after its filters closed. */
    readonly services: ServiceScope,
  ) {}

  get inFlight(): number {
    return this.leases;
  }

  readonly acquire = (): void => {
    this.leases++;
  };

  readonly release = (): void => {
    this.leases--;
    if (this.leases === 0 && this.retired) void this.close();
  };

  async startAdapters(): Promise<void> {
    for (const a of this.adapters) await a.instance.start();
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Stops adapters now; closes filters when the last request ends, or after `timeoutMs` at the latest: then
   * `onForce` cuts the requests still running (the caller knows their sockets) and the filters are closed.
   */
  async retire(timeoutMs: number, onForce?: () => void): Promise<void> {
    if (this.retired) return;
    this.retired = true;
    // A retired generation's checks would keep probing (and marking endpoints of a manager nobody reads) until close.
    this.clusters.stopHealthChecks();
    await this.stopAdapters();
    if (this.leases === 0) return this.close();
    this.forceTimer = setTimeout(() => {
      this.log.warn(
        { generation: this.id, inFlight: this.leases, timeoutMs },
        `retired generation ${this.id} still has ${this.leases} request(s) in flight after shutdown_config.timeout; closing it forcibly`,
      );
      try {
        onForce?.();
      } finally {
        void this.close();
      }
    }, timeoutMs);
    this.forceTimer.unref();
  }

  private async stopAdapters(): Promise<void> {
    for (const a of this.adapters) await this.bounded(a.kind, 'stop', () => a.instance.stop());
  }

  /** A plugin's close()/stop(): a throw is logged, and so is one that outlasts plugins.close_timeout (then skipped). */
  private async bounded(kind: string, hook: string, fn: () => unknown): Promise<void> {
    const timeoutMs = this.config.plugins.close_timeout;
    try {
      if ((await within(fn(), timeoutMs)) === TIMED_OUT) {
        this.log.error({ code: 'DGP_ERR_PLUGIN_TIMEOUT', kind, timeoutMs }, `${kind} ${hook}() did not finish within plugins.close_timeout; moving on`);
      }
    } catch (err) {
      this.log.error({ err, kind }, `${hook === 'stop' ? 'adapter' : 'filter'} ${hook} failed`);
    }
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      if (this.forceTimer) clearTimeout(this.forceTimer);
      this.clusters.stopHealthChecks();
      this.abort.abort();
      for (const f of this.filters) if (f.instance.close) await this.bounded(f.kind, 'close', () => f.instance.close!());
      // Records and spans of this generation's last requests go out while the stores they use are still open.
      if (this.audit !== undefined) await this.bounded('dgp.audit', 'flush', () => this.audit!.log.flush());
      if (this.tracing !== undefined) await this.bounded('dgp.tracing', 'flush', () => this.tracing!.flush());
      await this.services.release();
    })());
  }
}
