// The process's one worker pool (piscina): runs the pure tasks of ./worker.ts off the event loop, with a bounded
// queue, crash isolation (a dead worker is replaced; only its own task fails) and coded errors.
import { availableParallelism } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import { DgpError } from '../errors.js';
import type { WorkerPoolApi } from '../factory-api.js';
import type { TaskResult } from './tasks/types.js';

export interface WorkerPoolOptions {
  /** Worker threads, >= 1. The host uses `workers.threads` or defaultThreadCount(). */
  threads: number;
  /** Tasks that may wait for a free worker before run() rejects with DGP_ERR_WORKER_QUEUE_FULL, >= 0. */
  maxQueue: number;
  log?: Logger;
  /** The worker entry module (absolute path). Default: ./worker.js beside this file. For tests and embedders. */
  filename?: string;
}

export interface WorkerPoolStats {
  threads: number;
  /** Tasks waiting for a worker. */
  queued: number;
  completed: number;
  /** Tasks that failed because their worker died (each worker was replaced). */
  crashed: number;
  /** Tasks refused because the queue was full. */
  rejected: number;
  /** Share of the pool's capacity spent running tasks since start, 0..1. */
  utilization: number;
  runTimeP99Ms: number;
  waitTimeP99Ms: number;
}

export interface WorkerPool extends WorkerPoolApi {
  /** Waits for running tasks, then stops the threads. Later run() calls reject with DGP_ERR_WORKER_CLOSED. */
  close(): Promise<void>;
  stats(): WorkerPoolStats;
}

/** cores − 1, at least 1: one core stays with the event loop. */
export function defaultThreadCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

export function createWorkerPool(opts: WorkerPoolOptions): WorkerPool {
  if (!Number.isInteger(opts.threads) || opts.threads < 1) {
    throw new DgpError('DGP_ERR_CONFIG_SCHEMA', `workers.threads must be an integer >= 1, got ${String(opts.threads)}.`);
  }
  if (!Number.isInteger(opts.maxQueue) || opts.maxQueue < 0) {
    throw new DgpError('DGP_ERR_CONFIG_SCHEMA', `workers.max_queue must be an integer >= 0, got ${String(opts.maxQueue)}.`);
  }
  const piscina = new Piscina({
    filename: opts.filename ?? defaultWorkerFile(),
    minThreads: opts.threads,
    maxThreads: opts.threads,
    maxQueue: opts.maxQueue,
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  // A worker that dies with no task in hand is replaced by piscina; keep the process alive and say so.
  piscina.on('error', (err: unknown) => opts.log?.error({ err }, 'worker thread failed outside a task; replaced'));
  let closed = false;
  let crashed = 0;
  let rejected = 0;

  async function run<T>(task: string, input: unknown, runOpts: { signal?: AbortSignal } = {}): Promise<T> {
    if (closed) throw new DgpError('DGP_ERR_WORKER_CLOSED', `Worker pool is closed; task "${task}" was not run.`);
    let result: TaskResult<T>;
    try {
      result = (await piscina.run({ task, input }, runOpts.signal ? { signal: runOpts.signal } : {})) as TaskResult<T>;
    } catch (err) {
      throw mapRunError(err, task);
    }
    if (result.ok) return result.value;
    throw new DgpError(result.code, result.message);
  }

  function mapRunError(err: unknown, task: string): unknown {
    const e = err as Error;
    if (e?.name === 'AbortError') return err;
    if (e?.message === 'Task queue is at limit' || e?.message === 'No task queue available and all Workers are busy') {
      rejected++;
      return new DgpError('DGP_ERR_WORKER_QUEUE_FULL', `Worker pool queue is full (${opts.maxQueue} waiting, ${opts.threads} threads busy); task "${task}" refused.`, { cause: err });
    }
    if (e?.name === 'DataCloneError') {
      return new DgpError('DGP_ERR_WORKER_TASK', `Task "${task}" input cannot be sent to a worker: ${e.message}`, { cause: err });
    }
    if (closed || e?.message === 'Terminating worker thread') {
      return new DgpError('DGP_ERR_WORKER_CLOSED', `Worker pool closed while task "${task}" was running.`, { cause: err });
    }
    crashed++;
    opts.log?.error({ err, task }, 'worker thread crashed while running a task; it was replaced');
    return new DgpError('DGP_ERR_WORKER_CRASHED', `Worker thread crashed while running task "${task}": ${e?.message ?? String(err)}`, { cause: err });
  }

  return {
    run,
    threads: opts.threads,
    async close() {
      if (closed) return;
      closed = true;
      await piscina.close();
    },
    stats() {
      const h = piscina.histogram;
      return {
        threads: opts.threads,
        queued: piscina.queueSize,
        completed: piscina.completed,
        crashed,
        rejected,
        utilization: piscina.utilization,
        runTimeP99Ms: h.runTime.p99,
        waitTimeP99Ms: h.waitTime.p99,
      };
    },
  };
}

/** ./worker.js in dist; ./worker.ts when the sources run through tsx (tests), which the threads inherit. */
function defaultWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  return join(dirname(here), `worker${extname(here)}`);
}
