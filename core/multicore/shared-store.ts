// The worker side of a memory store shared by every worker of `dgp start --workers N`: each Store call goes over the
// cluster IPC channel to the primary, which runs it on the one MemoryStore it hosts (shared-store-host.ts). A call the
// primary does not answer within the timeout, or made while the channel is closed, fails with
// DGP_ERR_STORE_UNAVAILABLE, as an unreachable Redis would: the calling filter decides whether to fail open or closed.
import { DgpError } from '../errors.js';
import type { ServiceReadiness } from '../services/define.js';
import { checkAdmitRequest, checkReconcileRequest, type AdmitRequest, type AdmitResult, type ReconcileRequest } from '../services/limit-store.js';
import { MEMORY_STORE_KIND, type MemoryStoreOptions } from '../services/memory-store.js';
import {
  checkHoldRequest, checkReserveItems, type HoldRequest, type HoldResult, type ReserveItem, type ReserveResult,
  type SettleRequest, type SettleResult, type Store,
} from '../services/store.js';
import { WORKER_COUNT_ENV, isDgpMessage, type SharedStoreOp, type StoreCall, type StoreReply } from './protocol.js';

/** Sends one call to the primary and resolves with its reply; rejects (DGP_ERR_STORE_UNAVAILABLE) when none comes. */
export type StoreTransport = (call: StoreCall, timeoutMs: number) => Promise<StoreReply>;

interface Waiter {
  resolve(reply: StoreReply): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Calls in flight from this worker, by id; one 'message' listener serves every shared store. */
const pending = new Map<number, Waiter>();
let listening = false;

/** True in a worker of `dgp start --workers N` whose primary is still connected. */
export function inClusterWorker(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[WORKER_COUNT_ENV] !== undefined && typeof process.send === 'function';
}

function listen(): void {
  if (listening) return;
  listening = true;
  process.on('message', (m: unknown) => {
    if (!isDgpMessage(m) || m.dgp !== 'store-reply') return;
    const reply = m as StoreReply;
    const w = pending.get(reply.id);
    if (w === undefined) return; // answered after its timeout
    pending.delete(reply.id);
    clearTimeout(w.timer);
    w.resolve(reply);
  });
  // The primary is gone: nothing in flight will be answered.
  process.on('disconnect', () => {
    for (const [id, w] of pending) {
      pending.delete(id);
      clearTimeout(w.timer);
      w.reject(unavailable('the primary process is gone'));
    }
  });
}

/** The cluster IPC channel to the primary. */
export const ipcTransport: StoreTransport = (call, timeoutMs) => {
  if (!process.connected || typeof process.send !== 'function') return Promise.reject(unavailable('the channel to the primary process is closed'));
  listen();
  return new Promise<StoreReply>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(call.id);
      reject(unavailable(`the primary process did not answer ${call.op} within ${timeoutMs} ms`));
    }, timeoutMs);
    pending.set(call.id, { resolve, reject, timer });
    process.send!(call, undefined, undefined, (err: Error | null) => {
      if (err === null || !pending.has(call.id)) return;
      pending.delete(call.id);
      clearTimeout(timer);
      reject(unavailable(`sending ${call.op} to the primary failed: ${err.message}`));
    });
  });
};

let nextId = 1;

const unavailable = (why: string): DgpError =>
  new DgpError('DGP_ERR_STORE_UNAVAILABLE', `shared memory store: ${why}`, { hint: 'the primary process of dgp start --workers hosts it; see its log' });

export class PrimaryHostedStore implements Store {
  readonly kind = MEMORY_STORE_KIND;
  readonly callsRunOnce = true;
  readonly #label: string;

  constructor(
    private readonly options: Readonly<MemoryStoreOptions>,
    /** The service label, so that two services with equal options still get two stores. */
    service: string,
    private readonly transport: StoreTransport = ipcTransport,
    private readonly timeoutMs = 2_000,
  ) {
    this.#label = service;
  }

  get(key: string): Promise<string | undefined> {
    return this.#call('get', [key]);
  }

  set(key: string, value: string, opts?: { ttlMs?: number }): Promise<void> {
    return this.#call('set', [key, value, opts]);
  }

  delete(key: string): Promise<boolean> {
    return this.#call('delete', [key]);
  }

  async incrBy(key: string, by: number, opts?: { ttlMs?: number }): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new TypeError(`incrBy: by must be a safe integer, got ${by}`);
    return this.#call('incrBy', [key, by, opts]);
  }

  async reserve(items: readonly ReserveItem[]): Promise<ReserveResult> {
    checkReserveItems(items);
    return this.#call('reserve', [items]);
  }

  setIfAbsent(key: string, value: string, opts?: { ttlMs?: number }): Promise<boolean> {
    return this.#call('setIfAbsent', [key, value, opts]);
  }

  async hold(req: HoldRequest): Promise<HoldResult> {
    checkHoldRequest(req);
    return this.#call('hold', [req]);
  }

  async settle(req: SettleRequest): Promise<SettleResult> {
    checkHoldRequest(req);
    return this.#call('settle', [req]);
  }

  async admit(req: AdmitRequest): Promise<AdmitResult> {
    checkAdmitRequest(req);
    return this.#call('admit', [req]);
  }

  async reconcile(req: ReconcileRequest): Promise<void> {
    checkReconcileRequest(req);
    return this.#call('reconcile', [req]);
  }

  readiness(): ServiceReadiness {
    if (process.connected) return { ready: true, shared: 'primary process' };
    return { ready: false, shared: 'primary process', reason: 'the primary process hosting this shared memory store is gone' };
  }

  /** The data stays in the primary (other workers, and this worker's next generation, still use it). */
  close(): void {}

  async #call<T>(op: SharedStoreOp, args: unknown[]): Promise<T> {
    const reply = await this.transport({ dgp: 'store', id: nextId++, store: this.#label, options: this.options, op, args }, this.timeoutMs);
    if (reply.ok) return reply.value as T;
    const message = reply.error?.message ?? 'shared store call failed';
    throw reply.error?.name === 'TypeError' ? new TypeError(message) : new Error(message);
  }
}
