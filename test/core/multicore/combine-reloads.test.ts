// A reload sent to every worker answers once: ok only when all workers reloaded, each worker's result listed.
import t from 'tap';
import { combineReloads } from '../../../core/multicore/combine-reloads.js';
import type { ReloadResult } from '../../../core/reload/result.js';

const ok = (generation: number): ReloadResult => ({ ok: true, at: '2026-01-01T00:00:00.000Z', generation, diff: 'routes +main/r1', trigger: 'admin' });

t.test('all workers reloaded: ok, with the single-process fields and every worker', async (t) => {
  const r = combineReloads('admin', [
    { worker: 1, pid: 11, ok: true, value: ok(2) },
    { worker: 2, pid: 12, ok: true, value: ok(2) },
  ]);
  t.match(r, { ok: true, generation: 2, diff: 'routes +main/r1', trigger: 'admin' });
  t.notOk('error' in r);
  t.same(r.workers.map((w) => [w.worker, w.pid, w.ok, w.generation]), [[1, 11, true, 2], [2, 12, true, 2]]);
});

t.test('one worker failed or could not be asked: not ok, and the error names the worker', async (t) => {
  const bad: ReloadResult = { ok: false, at: 'x', generation: 1, code: 'DGP_ERR_PLUGIN_UNKNOWN_KIND', error: 'conf.yaml:3:5 unknown kind', problems: ['conf.yaml:3:5 unknown kind'] };
  const r = combineReloads('signal', [
    { worker: 1, pid: 11, ok: true, value: ok(3) },
    { worker: 2, pid: 12, ok: true, value: bad },
  ]);
  t.match(r, { ok: false, code: 'DGP_ERR_PLUGIN_UNKNOWN_KIND', error: 'worker 2: conf.yaml:3:5 unknown kind', problems: ['conf.yaml:3:5 unknown kind'], trigger: 'signal' });

  const absent = combineReloads('admin', [
    { worker: 1, pid: 11, ok: true, value: ok(3) },
    { worker: 2, pid: null, ok: false, error: 'worker 2 is not running (restart pending)' },
  ]);
  t.match(absent, { ok: false, code: 'DGP_ERR_RELOAD_FAILED', error: 'worker 2: worker 2 is not running (restart pending)' });
  t.match(absent.workers[1], { worker: 2, pid: null, ok: false });
});

t.test('no worker at all is a failure, not a vacuous success', async (t) => {
  t.match(combineReloads('admin', []), { ok: false, error: 'no worker is running', workers: [] });
});
