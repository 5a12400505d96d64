// The cluster runtime of one config generation: clusters, their immutable snapshots and LB policies, dynamic endpoints
// from registry adapters, health, change notification, and the carry-over of process state from the previous generation.
import pino, { type Logger } from 'pino';
import type { ClusterManagerApi, EndpointInput, EndpointPricer, EndpointView, HashSource } from '../cluster-api.js';
import { EndpointStats } from './endpoint-stats.js';
import { HealthChecker } from './health-checker.js';
import { assembleStaticEntries, STATIC_SOURCE } from './assemble-cluster.js';
import type { ClusterManagerOptions } from './cluster-manager-options.js';
import { ClusterSnapshot, type ClusterSettings } from './cluster-snapshot.js';
import { clustersSummary, clustersView, type ViewSource } from './cluster-views.js';
import { CooldownStore } from './cooldown-store.js';
import { applyDeleteEndpoint, applySetEndpoint } from './dynamic-endpoint.js';
import { withHealth, type EndpointEntry } from './endpoint-entry.js';
import { resolveLbPolicyName, type RoundRobinCursor } from './lb/index.js';
import {
  DEFAULT_CONSISTENT,
  type ClusterChange,
  type ClusterChangeListener,
  type ClusterSpec,
  type ClusterSummary,
  type ClusterView,
  type ConsistentSpec,
  type HealthCheckSpec,
  type LbPolicyName,
} from './types.js';

export type { ClusterManagerOptions } from './cluster-manager-options.js';

/** Default `source` of endpoints added through setEndpoint without one. */
export const DYNAMIC_SOURCE = 'dynamic';

const silentLog = pino({ level: 'silent' });

export class ClusterManager implements ClusterManagerApi {
  readonly #clusters = new Map<string, ClusterSnapshot>();
  readonly #listeners = new Set<ClusterChangeListener>();
  readonly #log: Logger;
  readonly #random: () => number;
  readonly #cooldowns: CooldownStore;
  readonly #stats: EndpointStats;
  readonly #checks = new Map<string, readonly HealthCheckSpec[]>();
  #checker: HealthChecker | undefined;
  readonly #onProbe: ClusterManagerOptions['onProbe'];
  #pricer: EndpointPricer | undefined;

  constructor(opts: Omit<ClusterManagerOptions, 'previous'> = {}) {
    this.#log = opts.log ?? silentLog;
    this.#random = opts.random ?? Math.random;
    this.#cooldowns = opts.cooldowns ?? new CooldownStore();
    this.#stats = opts.stats ?? new EndpointStats();
    this.#onProbe = opts.onProbe;
  }

  /** Builds the manager of a new config generation off to the side; the caller swaps it in. */
  static fromConfig(clusters: readonly ClusterSpec[], opts: ClusterManagerOptions = {}): ClusterManager {
    const prev = opts.previous;
    const m = new ClusterManager({
      log: opts.log ?? (prev ? prev.#log : undefined),
      random: opts.random ?? (prev ? prev.#random : undefined),
      cooldowns: opts.cooldowns ?? (prev ? prev.#cooldowns : undefined),
      stats: opts.stats ?? (prev ? prev.#stats : undefined),
      onProbe: opts.onProbe ?? (prev ? prev.#onProbe : undefined),
    });
    clusters.forEach((spec, i) => {
      // Pixiu names an unnamed cluster "cluster-<n>".
      const name = spec.name || `cluster-${i + 1}`;
      if (m.#clusters.has(name)) {
        m.#log.warn({ cluster: name }, `duplicate cluster name ${name}: the first definition is used, this one is ignored`);
        return;
      }
      const previous = prev ? prev.#clusters.get(name) : undefined;
      const consistent = { ...DEFAULT_CONSISTENT, ...spec.consistent };
      const settings = m.#settings(name, resolveLbPolicyName(spec.lb_policy), consistent, previous);
      m.#clusters.set(name, new ClusterSnapshot(settings, assembleStaticEntries(spec, name, previous, m.#log)));
      // Specs built by hand (tests, embedders) may leave health_checks out.
      if ((spec.health_checks?.length ?? 0) > 0) m.#checks.set(name, spec.health_checks);
    });
    if (prev) m.#carryDynamicEndpoints(prev);
    return m;
  }

  get cooldowns(): CooldownStore {
    return this.#cooldowns;
  }

  get stats(): EndpointStats {
    return this.#stats;
  }

  /** Starts the active health checks of this generation (idempotent); stopHealthChecks() clears every timer. */
  startHealthChecks(): void {
    if (this.#checker !== undefined || this.#checks.size === 0) return;
    this.#checker = new HealthChecker(
      { endpoints: (c) => this.endpoints(c), setHealthy: (c, id, h) => this.#probed(c, id, h), onProbe: this.#onProbe },
      this.#checks,
    );
    this.#checker.start();
  }

  stopHealthChecks(): void {
    this.#checker?.stop();
  }

  #probed(cluster: string, id: string, healthy: boolean): void {
    this.#log.warn({ cluster, endpoint: id, healthy }, `active health check: endpoint ${id} of cluster ${cluster} is now ${healthy ? 'healthy' : 'unhealthy'}`);
    this.setHealthy(cluster, id, healthy);
  }

  /** Healthy and not cooling down: what /config, /admin/v1/clusters and the health gauge call healthy. */
  effectiveHealth(cluster: string, ep: EndpointView, now = Date.now()): { healthy: boolean; cooldownUntil: number | undefined } {
    const cooling = this.#cooldowns.inCooldown(cluster, ep, now);
    const entry = cooling ? this.#cooldowns.entry(cluster, ep) : undefined;
    return { healthy: ep.healthy && !cooling, cooldownUntil: entry === undefined ? undefined : entry.lastFailure + entry.ttl };
  }

  /** GET /admin/v1/clusters: every endpoint with its active and passive health, load and latency. */
  clustersView(): ClusterView[] {
    return clustersView(this.#viewSource());
  }

  hasCluster(name: string): boolean {
    return this.#clusters.has(name);
  }

  clusterNames(): string[] {
    return [...this.#clusters.keys()];
  }

  /** The cluster's current immutable snapshot: hold it to see one consistent state for a whole request. */
  clusterSnapshot(name: string): ClusterSnapshot | undefined {
    return this.#clusters.get(name);
  }

  pickEndpoint(cluster: string, src: HashSource): EndpointView | undefined {
    const snap = this.#clusters.get(cluster);
    if (snap?.tiers === undefined) return snap?.pick(src);
    return snap.pick(src, (ep) => this.#cooldowns.inCooldown(cluster, ep));
  }

  /** The cluster's endpoints, highest llm_meta.priority first (list order within a priority): the fallback order. */
  endpointsByPriority(cluster: string): readonly EndpointView[] {
    return this.#clusters.get(cluster)?.byPriority ?? [];
  }

  needsBody(cluster: string): boolean {
    const s = this.#clusters.get(cluster)?.settings;
    if (s?.lbPolicy === 'CostAware') return true; // the price depends on the requested model
    return s !== undefined && (s.lbPolicy === 'RingHashing' || s.lbPolicy === 'MaglevHashing') && s.consistent.hash_on === 'body';
  }

  lbPolicyOf(cluster: string): string | undefined {
    return this.#clusters.get(cluster)?.settings.lbPolicy;
  }

  setEndpointPricer(pricer: EndpointPricer): void {
    this.#pricer = pricer;
  }

  getHealthyEndpoint(cluster: string, id: string): EndpointView | undefined {
    return this.#clusters.get(cluster)?.getHealthy(id);
  }

  getEndpoint(cluster: string, id: string): EndpointView | undefined {
    return this.#clusters.get(cluster)?.get(id);
  }

  nextHealthyEndpoint(cluster: string, id: string): EndpointView | undefined {
    return this.#clusters.get(cluster)?.nextHealthy(id);
  }

  endpoints(cluster: string): readonly EndpointView[] {
    return this.#clusters.get(cluster)?.endpoints ?? [];
  }

  setEndpoint(cluster: string, ep: EndpointInput, source: string = DYNAMIC_SOURCE): EndpointView {
    let snap = this.#clusters.get(cluster);
    if (snap === undefined) {
      snap = this.#autoCreate(cluster);
      this.#emit({ cluster, reason: 'cluster-created' });
    }
    const result = applySetEndpoint(snap, ep, source, this.#log);
    if (result.entries !== undefined) {
      this.#clusters.set(cluster, snap.with(result.entries));
      this.#emit({ cluster, reason: 'set-endpoint', endpointId: result.view.id });
    }
    return result.view;
  }

  deleteEndpoint(cluster: string, id: string): boolean {
    const snap = this.#clusters.get(cluster);
    const entries = snap && applyDeleteEndpoint(snap, id);
    if (snap === undefined || entries === undefined) {
      this.#log.warn({ cluster, endpoint: id }, snap ? `not found endpoint ${id} in cluster ${cluster}` : `not found cluster ${cluster}`);
      return false;
    }
    this.#clusters.set(cluster, snap.with(entries));
    this.#emit({ cluster, reason: 'delete-endpoint', endpointId: id });
    return true;
  }

  setHealthy(cluster: string, id: string, healthy: boolean): void {
    const snap = this.#clusters.get(cluster);
    const i = snap ? snap.indexOf(id) : -1;
    if (snap === undefined || i === -1) {
      this.#log.debug({ cluster, endpoint: id }, 'health event for an endpoint that is not in the cluster; ignored');
      return;
    }
    const entry = withHealth(snap.entries[i], healthy);
    if (entry === snap.entries[i]) return;
    const next = snap.entries.slice();
    next[i] = entry;
    this.#clusters.set(cluster, snap.with(next));
    this.#emit({ cluster, reason: 'health', endpointId: id });
  }

  /** Registers an observer of every change; returns the function that unregisters it. */
  onChange(listener: ClusterChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A plain JSON-able view for GET /config (never api keys). */
  snapshot(): ClusterSummary[] {
    return clustersSummary(this.#viewSource());
  }

  #viewSource(): ViewSource {
    return { snapshots: this.#clusters.values(), effectiveHealth: (c, ep, now) => this.effectiveHealth(c, ep, now), checks: this.#checks, checker: this.#checker, stats: this.#stats };
  }

  #settings(name: string, lbPolicy: LbPolicyName, consistent: ConsistentSpec, previous?: ClusterSnapshot): ClusterSettings {
    // The cursor object is per cluster name and shared with the previous generation (Pixiu keeps it across reloads).
    const cursor: RoundRobinCursor = previous?.settings.cursor ?? { value: 0 };
    const stats = this.#stats;
    // Read at pick time: a filter installs the pricer after the snapshots are built.
    const price: EndpointPricer = (ep, src) => this.#pricer?.(ep, src);
    return Object.freeze({ name, lbPolicy, consistent, cursor, random: this.#random, log: this.#log, stats: (ep: EndpointView) => stats.view(name, ep.id), price });
  }

  /** Pixiu: SetEndpoint on an unknown cluster creates it with RoundRobin. */
  #autoCreate(name: string, previous?: ClusterSnapshot): ClusterSnapshot {
    this.#log.info({ cluster: name }, `cluster ${name} created for a dynamically registered endpoint (lb_policy RoundRobin)`);
    const snap = new ClusterSnapshot(this.#settings(name, 'RoundRobin', DEFAULT_CONSISTENT, previous), []);
    this.#clusters.set(name, snap);
    return snap;
  }

  #carryDynamicEndpoints(prev: ClusterManager): void {
    for (const [name, old] of prev.#clusters) {
      const dynamic = old.entries.filter((e) => e.view.source !== STATIC_SOURCE);
      if (dynamic.length === 0) continue;
      const target = this.#clusters.get(name) ?? this.#autoCreate(name, old);
      const kept: EndpointEntry[] = [];
      for (const e of dynamic) {
        if (target.indexOf(e.view.id) === -1) kept.push(e);
        else this.#log.warn({ cluster: name, endpoint: e.view.id }, `endpoint ID ${e.view.id} from ${e.view.source} is now defined in conf.yaml; the configured endpoint wins`);
      }
      this.#clusters.set(name, target.with([...target.entries, ...kept]));
    }
  }

  #emit(change: ClusterChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (err) {
        this.#log.error({ err, cluster: change.cluster }, 'a cluster change listener threw; the change itself was applied');
      }
    }
  }
}
