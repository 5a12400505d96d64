// One answer for a reload sent to every worker (POST /reload, SIGHUP to the primary): ok only when every worker
// reloaded; the top-level fields follow the single-process ReloadResult (from the first failure, else the first
// worker) so that scripts written for one process keep working, and `workers` holds each worker's own result.
import { failure, type ReloadResult, type ReloadTrigger } from '../reload/result.js';
import type { Answer } from './supervisor.js';

export interface WorkerReload extends ReloadResult {
  worker: number;
  pid: number | null;
}

export interface ClusterReloadResult extends ReloadResult {
  workers: WorkerReload[];
}

export function combineReloads(trigger: ReloadTrigger, answers: readonly Answer<'reload'>[]): ClusterReloadResult {
  const workers: WorkerReload[] = answers.map((a) => ({
    worker: a.worker,
    pid: a.pid,
    // A worker that could not be asked (restarting, or silent) did not apply the change: the reload is not complete.
    ...(a.ok ? a.value : { ...failure(0, 'DGP_ERR_RELOAD_FAILED', a.error), trigger }),
  }));
  const failed = workers.find((w) => !w.ok);
  const top: ReloadResult = failed
    ? { ...own(failed), error: `worker ${failed.worker}: ${failed.error}` }
    : workers[0]
      ? own(workers[0])
      : failure(0, 'DGP_ERR_RELOAD_FAILED', 'no worker is running');
  return { ...top, ok: workers.length > 0 && !failed, at: new Date().toISOString(), trigger, workers };
}

const own = ({ worker: _w, pid: _p, ...result }: WorkerReload): ReloadResult => result;
