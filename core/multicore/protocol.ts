// The IPC messages between the multi-core primary and its workers (node:cluster channel, 'advanced' serialization so
// NaN and Infinity in metric values survive). Every message carries `dgp` so that other users of the channel (Node's
// own cluster messages, prom-client's) are ignored.
import type { ReloadResult, ReloadTrigger } from '../reload/result.js';
import type { AdminCall, AdminReply } from '../admin/route-call.js';
import type { AdminRouteInfo } from '../admin/route-api.js';
import type { MemoryStoreOptions } from '../services/memory-store.js';

/** What the primary can ask a worker; the reply's `value` type per op is in OpValue. */
export type WorkerOp = 'status' | 'metrics' | 'config' | 'plugins' | 'reload' | 'routes' | 'routing' | 'admin' | 'clusters';

export interface OpRequest {
  dgp: 'request';
  id: number;
  op: WorkerOp;
  /** For op 'reload': what asked for it ('admin' for POST /reload, 'signal' for SIGHUP to the primary). */
  trigger?: ReloadTrigger;
  /** For op 'admin': a plugin admin route call that passed the primary's guard. */
  call?: AdminCall;
}

export interface OpReply {
  dgp: 'reply';
  id: number;
  ok: boolean;
  value?: unknown;
  /** When ok is false: what went wrong in the worker. */
  error?: string;
}

/** Sent once by a worker when its gateway is serving (after Gateway.start resolved). */
export interface ReadyEvent {
  dgp: 'ready';
  generation: number;
  listeners: Record<string, number>;
}

/** Asks a worker to drain and exit 0 (the primary also sends SIGTERM's equivalent this way). */
export interface ShutdownCommand {
  dgp: 'shutdown';
}

/** The Store methods a worker may call on a store the primary hosts. */
export type SharedStoreOp = 'get' | 'set' | 'delete' | 'incrBy' | 'reserve' | 'setIfAbsent' | 'hold' | 'settle' | 'admit' | 'reconcile';

/** A worker's call on a memory store the primary hosts for every worker (dgp.adapter.store.memory, shared: true). */
export interface StoreCall {
  dgp: 'store';
  id: number;
  /** The service label and canonical options naming the store (one per distinct pair, for the primary's lifetime). */
  store: string;
  options: MemoryStoreOptions;
  op: SharedStoreOp;
  args: unknown[];
}

export interface StoreReply {
  dgp: 'store-reply';
  id: number;
  ok: boolean;
  value?: unknown;
  /** When ok is false: the error's name (TypeError for bad input) and message. */
  error?: { name: string; message: string };
}

export type PrimaryMessage = OpRequest | ShutdownCommand | StoreReply;
export type WorkerMessage = OpReply | ReadyEvent | StoreCall;

export interface WorkerStatus {
  ready: boolean;
  generation: number;
  listeners: Record<string, number>;
  /** The gateway's readiness detail: every live service (stores, registry adapters' state, …). */
  detail?: Record<string, unknown>;
  /** Why the worker is not ready (a service is down), when it is not. */
  reason?: string;
}

/** A plain metric as Registry.getMetricsAsJSON() gives it. */
export interface MetricJson {
  name: string;
  help: string;
  type: string;
  aggregator?: string;
  values: Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>;
}

export interface OpValue {
  status: WorkerStatus;
  metrics: MetricJson[];
  config: Record<string, unknown>;
  plugins: unknown;
  reload: ReloadResult;
  routes: AdminRouteInfo[];
  routing: unknown;
  admin: AdminReply;
  clusters: unknown;
}

export const isDgpMessage = (m: unknown): m is { dgp: string } =>
  typeof m === 'object' && m !== null && typeof (m as { dgp?: unknown }).dgp === 'string';

/** The environment variables the primary sets in each worker (cluster.fork(env)). */
export const WORKER_SLOT_ENV = 'DGP_WORKER_SLOT';
export const WORKER_COUNT_ENV = 'DGP_WORKER_COUNT';
