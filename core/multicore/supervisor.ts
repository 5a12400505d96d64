// The primary's worker slots: forks N workers (node:cluster, round-robin), restarts one that exits unexpectedly with
// backoff (restart-policy.ts), asks workers things over IPC with a timeout, and stops them all gracefully, killing any
// that outlive the drain timeout by 5 s.
import cluster, { type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { DEFAULT_RESTART_POLICY, nextRestart, type RestartPolicy } from './restart-policy.js';
import { WORKER_COUNT_ENV, WORKER_SLOT_ENV, isDgpMessage, type OpReply, type OpRequest, type OpValue, type ReadyEvent, type StoreCall, type WorkerOp } from './protocol.js';
import type { SharedStoreHost } from './shared-store-host.js';
import type { ReloadTrigger } from '../reload/result.js';

export interface SupervisorOptions {
  count: number;
  log: Logger;
  /** shutdown_config.timeout: how long a worker may drain before it is killed (plus KILL_SLACK_MS). */
  graceMs: number;
  policy?: RestartPolicy;
  /** Answers the workers' calls on shared memory stores. */
  storeHost?: SharedStoreHost;
}

/** One worker slot as GET /config and GET /ready show it. */
export interface SlotView {
  worker: number;
  pid: number | null;
  ready: boolean;
  restarts: number;
  started_at: string | null;
  last_exit: { code: number | null; signal: string | null; at: string } | null;
  listeners: Record<string, number>;
}

interface Slot extends SlotView {
  handle?: Worker;
  forkedAt: number;
  streak: number;
  timer?: NodeJS.Timeout;
  pending: Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>;
}

export type Answer<K extends WorkerOp> = { worker: number; pid: number | null } & ({ ok: true; value: OpValue[K] } | { ok: false; error: string });

const KILL_SLACK_MS = 5_000;

/** Events: 'ready' (slot) each time a worker reports ready; 'restart' (slot) each time a replacement is forked. */
export class Supervisor extends EventEmitter {
  private readonly slots: Slot[];
  private readonly policy: RestartPolicy;
  private nextId = 1;
  private stopping = false;

  constructor(private readonly opts: SupervisorOptions) {
    super();
    this.policy = opts.policy ?? DEFAULT_RESTART_POLICY;
    this.slots = Array.from({ length: opts.count }, (_, i) => ({
      worker: i + 1, pid: null, ready: false, restarts: 0, started_at: null, last_exit: null, listeners: {}, forkedAt: 0, streak: 0, pending: new Map(),
    }));
  }

  /** Forks every worker; resolves when all reported ready, rejects when one exits before (the start has failed). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onReady = (): void => {
        if (this.slots.every((s) => s.ready)) done(), resolve();
      };
      const onEarlyExit = (slot: Slot, code: number | null, signal: string | null): void => {
        done();
        reject(new Error(`worker ${slot.worker} (pid ${slot.pid}) exited with ${signal ? `signal ${signal}` : `code ${code}`} before it was ready`));
      };
      const done = (): void => void (this.off('ready', onReady), this.off('early-exit', onEarlyExit));
      this.on('ready', onReady);
      this.on('early-exit', onEarlyExit);
      for (const slot of this.slots) this.fork(slot);
    });
  }

  views(): SlotView[] {
    return this.slots.map(({ worker, pid, ready, restarts, started_at, last_exit, listeners }) => ({ worker, pid, ready, restarts, started_at, last_exit, listeners }));
  }

  /** Asks one slot's worker; rejects when it is not running, exits, or does not answer within `timeoutMs`. */
  request<K extends WorkerOp>(worker: number, op: K, timeoutMs: number, extra: Pick<OpRequest, 'trigger' | 'call'> = {}): Promise<OpValue[K]> {
    const slot = this.slots[worker - 1];
    const handle = slot?.handle;
    if (!slot || !handle || !handle.isConnected()) return Promise.reject(new Error(`worker ${worker} is not running (restart pending)`));
    const id = this.nextId++;
    return new Promise<OpValue[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        slot.pending.delete(id);
        reject(new Error(`worker ${worker} (pid ${slot.pid}) did not answer ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      const message: OpRequest = { dgp: 'request', id, op, ...extra };
      handle.send(message, undefined, (err) => err && settle(slot, id, new Error(`worker ${worker}: ${err.message}`)));
    });
  }

  /** Asks every slot at once; one answer per slot, in slot order, failures included. */
  async broadcast<K extends WorkerOp>(op: K, timeoutMs: number, trigger?: ReloadTrigger): Promise<Answer<K>[]> {
    return Promise.all(
      this.slots.map(async (s): Promise<Answer<K>> => {
        const pid = s.pid;
        try {
          return { worker: s.worker, pid, ok: true, value: await this.request(s.worker, op, timeoutMs, trigger ? { trigger } : {}) };
        } catch (err) {
          return { worker: s.worker, pid, ok: false, error: (err as Error).message };
        }
      }),
    );
  }

  /** Drains every worker (each within graceMs), kills the ones still alive after graceMs + 5 s; resolves once all exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits: Promise<void>[] = [];
    for (const slot of this.slots) {
      clearTimeout(slot.timer);
      const handle = slot.handle;
      if (!handle || handle.isDead()) continue;
      exits.push(
        new Promise<void>((resolve) => {
          const kill = setTimeout(() => {
            this.opts.log.warn({ worker: slot.worker, workerPid: slot.pid, graceMs: this.opts.graceMs }, `worker ${slot.worker} still running ${KILL_SLACK_MS} ms after the drain timeout; killing it`);
            handle.process.kill('SIGKILL');
          }, this.opts.graceMs + KILL_SLACK_MS);
          handle.once('exit', () => (clearTimeout(kill), resolve()));
        }),
      );
      if (handle.isConnected()) handle.send({ dgp: 'shutdown' }, undefined, () => undefined);
      else handle.process.kill('SIGTERM');
    }
    await Promise.all(exits);
  }

  private fork(slot: Slot): void {
    const handle = cluster.fork({ [WORKER_SLOT_ENV]: String(slot.worker), [WORKER_COUNT_ENV]: String(this.opts.count) });
    Object.assign(slot, { handle, pid: handle.process.pid ?? null, ready: false, forkedAt: Date.now(), started_at: new Date().toISOString() });
    handle.on('message', (m: unknown) => {
      if (!isDgpMessage(m)) return;
      if (m.dgp === 'reply') settle(slot, (m as OpReply).id, m as OpReply);
      else if (m.dgp === 'ready') this.onReady(slot, handle, m as ReadyEvent);
      else if (m.dgp === 'store' && this.opts.storeHost) {
        void this.opts.storeHost.handle(m as StoreCall).then((reply) => {
          // A worker that died meanwhile has nobody to read it.
          if (handle.isConnected()) handle.send(reply, undefined, () => undefined);
        });
      }
    });
    handle.on('exit', (code, signal) => this.onExit(slot, handle, code, signal));
    // An IPC write to a worker that just died reports here; the exit handler does the real work.
    handle.on('error', (err) => this.opts.log.debug({ err, worker: slot.worker }, 'worker channel error'));
  }

  private onReady(slot: Slot, handle: Worker, m: ReadyEvent): void {
    if (slot.handle !== handle) return;
    slot.ready = true;
    slot.listeners = m.listeners;
    if (slot.restarts > 0) this.opts.log.info({ worker: slot.worker, workerPid: slot.pid, generation: m.generation }, `worker ${slot.worker} ready again (pid ${slot.pid})`);
    this.emit('ready', slot.worker);
  }

  private onExit(slot: Slot, handle: Worker, code: number | null, signal: string | null): void {
    if (slot.handle !== handle) return;
    const wasReady = slot.ready;
    Object.assign(slot, { handle: undefined, ready: false, last_exit: { code, signal, at: new Date().toISOString() } });
    for (const id of [...slot.pending.keys()]) settle(slot, id, new Error(`worker ${slot.worker} (pid ${slot.pid}) exited`));
    if (this.stopping) return;
    if (!wasReady && slot.restarts === 0) return void this.emit('early-exit', slot, code, signal);
    const uptimeMs = Date.now() - slot.forkedAt;
    const { delayMs, streak } = nextRestart(this.policy, slot.streak, uptimeMs);
    slot.streak = streak;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    this.opts.log[code === 0 && !signal ? 'warn' : 'error'](
      { worker: slot.worker, workerPid: slot.pid, code, signal, uptimeMs, restartInMs: delayMs, restarts: slot.restarts + 1 },
      `worker ${slot.worker} (pid ${slot.pid}) exited with ${how}${wasReady ? '' : ' before it was ready'}; restarting in ${delayMs} ms`,
    );
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (this.stopping) return;
      slot.restarts++;
      this.fork(slot);
      this.emit('restart', slot.worker);
    }, delayMs);
  }
}

function settle(slot: Slot, id: number, outcome: OpReply | Error): void {
  const waiter = slot.pending.get(id);
  if (!waiter) return;
  slot.pending.delete(id);
  clearTimeout(waiter.timer);
  if (outcome instanceof Error) waiter.reject(outcome);
  else if (outcome.ok) waiter.resolve(outcome.value);
  else waiter.reject(new Error(`worker ${slot.worker}: ${outcome.error}`));
}
