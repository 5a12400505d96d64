// The worker-thread pool as a host-owned service: created once from the startup config (workers.* need a restart),
// closed last by Gateway.close().
import { defineService } from '../services/define.js';
import { createWorkerPool, type WorkerPool } from './pool.js';

export interface WorkerPoolServiceConfig {
  threads: number;
  maxQueue: number;
}

export const workerPoolService = defineService<WorkerPool, WorkerPoolServiceConfig>({
  name: 'dgp.workers',
  create: (c, ctx) => createWorkerPool({ threads: c.threads, maxQueue: c.maxQueue, log: ctx.log }),
  close: (pool) => pool.close(),
  readiness: (pool) => ({ ready: true, threads: pool.threads }),
});
