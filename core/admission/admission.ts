// Admission control for one process: heap shedding (asked by the connection manager before anything is read) and the
// gateway and cluster concurrency gates every request passes right before the terminal filter, once the filters that
// identify the caller have run (so a key can set the priority). Reloads reconfigure it in place.
import { performance } from 'node:perf_hooks';
import { AdmissionPriority } from '../attributes.js';
import type { AdmissionConfig, ClusterConfig } from '../config/types.js';
import { DgpError } from '../errors.js';
import type { Context } from '../http/context.js';
import type { HostMetrics } from '../observability/metrics.js';
import { ConcurrencyGate } from './gate.js';
import { HeapShedder, type HeapReader } from './heap-shedder.js';
import { createAdmissionMetrics, type AdmissionMetrics, type WaitEnd } from './metrics.js';
import { Waiter, type WaitOutcome } from './wait-queue.js';

export interface AdmissionOptions {
  /** Replaces the V8 heap reading (tests force a full heap with it). */
  heapReader?: HeapReader;
  /** ms between two heap readings; default 100. */
  heapSampleMs?: number;
}

const INTEGER = /^\s*[+-]?\d{1,7}\s*$/;
const NO_PRIORITY: AdmissionConfig['priority'] = { default: 0, allow_header: false, header: 'x-dgp-priority', header_max: undefined };

export class AdmissionControl {
  readonly global = new ConcurrencyGate('global', '');
  readonly heap: HeapShedder;
  private readonly clusters = new Map<string, ConcurrencyGate>();
  private priority = NO_PRIORITY;
  private readonly metrics: AdmissionMetrics;

  constructor(metrics: HostMetrics, opts: AdmissionOptions = {}) {
    this.heap = new HeapShedder(opts.heapReader, opts.heapSampleMs);
    this.metrics = createAdmissionMetrics(metrics, () => this.gates(), () => this.heap.sample());
  }

  /**
   * Applies a generation's settings (at the swap). Every cluster of the config gets a gate, so its requests are counted
   * even without a cap; a cluster that left the config keeps its gate, uncapped, for the requests it still has.
   */
  configure(config: AdmissionConfig, clusters: readonly ClusterConfig[]): void {
    this.heap.fraction = config.shed_heap_fraction;
    this.priority = config.priority;
    this.global.configure(config);
    const named = new Set<string>();
    for (const c of clusters) {
      named.add(c.name);
      let gate = this.clusters.get(c.name);
      if (gate === undefined) this.clusters.set(c.name, (gate = new ConcurrencyGate('cluster', c.name)));
      gate.configure(c.admission);
    }
    for (const [name, gate] of this.clusters) {
      if (named.has(name)) continue;
      if (gate.inFlight === 0 && gate.queue.size === 0) this.clusters.delete(name);
      else gate.configure({ max_concurrency: 0, queue: { max_length: 0, max_wait: 0 } });
    }
  }

  /** True when a new request must be shed (the heap is above shed_heap_fraction); counted per listener. */
  shed(now: number, listener: string): boolean {
    if (!this.heap.shouldShed(now)) return false;
    this.metrics.shed.inc({ listener });
    return true;
  }

  /** The error a shed request is answered with. */
  shedError(): DgpError {
    const pct = (n: number): string => `${Math.round(n * 1000) / 10}%`;
    return new DgpError('DGP_ERR_ADMISSION_SHED', `the gateway is overloaded (heap at ${pct(this.heap.ratio)} of its limit, above admission.shed_heap_fraction ${pct(this.heap.fraction)}); the request was not started`, {
      hint: 'retry after the retry-after delay, or against another instance',
      details: { retry_after: 1 },
    });
  }

  /**
   * Takes the request's cluster slot, then its gateway slot. True at once when both are free (no allocation); else a
   * promise of whether it got them: false when it was refused (ctx holds the 503 reply) or was aborted.
   */
  enter(ctx: Context): boolean | Promise<boolean> {
    // An aborted request (client gone, or the connection manager timed out and already gave back what it held) whose
    // filters are still finishing must not take a slot nothing would ever give back.
    if (ctx.aborted) return false;
    const cluster = this.clusters.get(ctx.route.cluster);
    if (cluster === undefined || cluster.tryEnter()) {
      ctx.clusterSlot = cluster;
      if (this.global.tryEnter()) {
        ctx.globalSlot = this.global;
        return true;
      }
    }
    return this.queue(ctx, cluster);
  }

  /** Gives back whatever the request holds (every path: stream end, abort, error, local reply). Idempotent. */
  leave(ctx: Context): void {
    const g = ctx.globalSlot;
    const c = ctx.clusterSlot;
    ctx.globalSlot = ctx.clusterSlot = undefined;
    g?.leave();
    c?.leave();
  }

  private async queue(ctx: Context, cluster: ConcurrencyGate | undefined): Promise<boolean> {
    const priority = this.priorityOf(ctx);
    if (cluster !== undefined && ctx.clusterSlot === undefined) {
      if (!(await this.wait(ctx, cluster, priority))) return false;
      if (this.global.tryEnter()) {
        ctx.globalSlot = this.global;
        return true;
      }
    }
    return this.wait(ctx, this.global, priority);
  }

  /** Waits in `gate`'s queue. The slot is recorded on ctx the moment the gate grants it, so `leave` always sees it. */
  private wait(ctx: Context, gate: ConcurrencyGate, priority: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const w = new Waiter(priority, performance.now(), (outcome: WaitOutcome) => {
        this.observe(gate, w, outcome);
        if (outcome === 'admitted') {
          if (gate === this.global) ctx.globalSlot = gate;
          else ctx.clusterSlot = gate;
          resolve(true);
          return;
        }
        this.refuse(ctx, gate, outcome === 'timeout' ? 'queue_timeout' : 'displaced');
        resolve(false);
      });
      if (!gate.enqueue(w)) {
        this.refuse(ctx, gate, 'queue_full');
        resolve(false);
        return;
      }
      ctx.onAbort(() => {
        if (!gate.cancel(w)) return;
        this.observe(gate, w, 'aborted');
        resolve(false);
      });
    });
  }

  private observe(gate: ConcurrencyGate, w: Waiter, end: WaitEnd): void {
    this.metrics.waited.observe({ scope: gate.scope, cluster: gate.name, outcome: end }, (performance.now() - w.since) / 1000);
  }

  private refuse(ctx: Context, gate: ConcurrencyGate, reason: 'queue_full' | 'queue_timeout' | 'displaced'): void {
    this.metrics.refused.inc({ scope: gate.scope, cluster: gate.name, reason });
    const cap = gate.scope === 'global' ? `the gateway's concurrency cap (admission.max_concurrency ${gate.limit})` : `cluster ${gate.name}'s concurrency cap (admission.max_concurrency ${gate.limit})`;
    const retryAfter = Math.max(1, Math.ceil(gate.maxWait / 1000));
    const details = { retry_after: retryAfter };
    const hint = 'retry after the retry-after delay; the gateway is at capacity';
    const err =
      reason === 'queue_timeout'
        ? new DgpError('DGP_ERR_ADMISSION_QUEUE_TIMEOUT', `the request waited ${gate.maxWait} ms for a slot under ${cap} and got none`, { hint, details })
        : reason === 'displaced'
          ? new DgpError('DGP_ERR_ADMISSION_QUEUE_FULL', `the request was waiting under ${cap} and gave its place in the full queue to a higher-priority request`, { hint, details })
          : new DgpError('DGP_ERR_ADMISSION_QUEUE_FULL', `every slot under ${cap} is taken and its queue is full (max_length ${gate.maxLength})`, { hint, details });
    ctx.replyError(err);
  }

  /** The header (when allowed, capped), else the key's priority, else the route's, else the default. */
  private priorityOf(ctx: Context): number {
    const p = this.priority;
    const base = ctx.get(AdmissionPriority) ?? ctx.route.priority ?? p.default;
    if (!p.allow_header) return base;
    const raw = ctx.request.headers[p.header];
    if (typeof raw !== 'string' || !INTEGER.test(raw)) return base;
    const cap = p.header_max === undefined ? base : Math.max(base, p.header_max);
    return Math.min(Number(raw), cap);
  }

  private *gates(): Iterable<ConcurrencyGate> {
    yield this.global;
    yield* this.clusters.values();
  }
}
