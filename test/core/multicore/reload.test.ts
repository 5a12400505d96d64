// Reload with `dgp start --workers 2`: POST /reload and SIGHUP to the primary reach every worker (each answers on the
// edited route), a failed reload is reported per worker while the old config keeps serving, and with watching on each
// worker applies a file edit by itself.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { adminCall, get, pidConfig, servingPids, startCluster, waitFor } from './helpers.js';

const writeConf = (dir: string, yaml: string): void => writeFileSync(join(dir, 'conf.yaml'), yaml);

t.test('--no-watch: POST /reload and SIGHUP apply an edited route in every worker', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dgp-multicore-reload-'));
  writeConf(dir, pidConfig({ prefixes: ['/one'], tag: 'one' }));
  const c = await startCluster(t, dir, ['--no-watch']);
  t.equal((await servingPids(c.port, '/one', { want: 2, max: 40, tag: 'one' })).size, 2);

  writeConf(dir, pidConfig({ prefixes: ['/two'], tag: 'two' }));
  const res = await adminCall(c.admin, '/reload', 'POST');
  t.equal(res.status, 200);
  t.match(res.body, { ok: true, trigger: 'admin', generation: 2, diff: /routes/ });
  t.same(res.body.workers.map((w: { worker: number; pid: number; ok: boolean; generation: number }) => [w.worker, w.pid, w.ok, w.generation]), [
    [1, c.pids[0], true, 2],
    [2, c.pids[1], true, 2],
  ]);
  const two = await servingPids(c.port, '/two', { want: 2, max: 40, tag: 'two' });
  t.same([...two].sort(), [...c.pids].sort(), 'both workers serve the new route');
  t.equal((await get(c.port, '/one')).status, 404, 'the removed route is gone');

  writeConf(dir, pidConfig({ prefixes: ['/three'], tag: 'three' }));
  c.child.kill('SIGHUP');
  const three = new Set<number>();
  await waitFor(async () => {
    for (const pid of await servingPids(c.port, '/three', { want: 2, max: 6, tag: 'three' })) three.add(pid);
    return three.size === 2;
  }, 10_000, 'both workers to serve /three after SIGHUP');
  // pino writes asynchronously in each process: the log lines may trail the swap a little.
  await waitFor(() => c.lines().some((l) => l.role === 'primary' && l.msg === 'reload sent to every worker: all reloaded'), 3000, 'the primary logs the outcome');
  const signalled = () => c.lines().filter((l) => l.trigger === 'signal' && String(l.msg).startsWith('config reloaded'));
  await waitFor(() => signalled().length >= 2, 3000, 'both workers to log their reload');
  t.same(signalled().map((l) => l.worker).sort(), [1, 2], 'each worker logs its reload with trigger signal');

  writeConf(dir, pidConfig({ prefixes: ['/four'], tag: 'four' }).replace('multicore.pid', 'multicore.pidd'));
  const bad = await adminCall(c.admin, '/reload', 'POST');
  t.equal(bad.status, 422);
  t.match(bad.body, { ok: false, code: 'DGP_ERR_PLUGIN_UNKNOWN_KIND', error: /^worker 1: \S*conf\.yaml:\d+:\d+ .*multicore\.pidd/ });
  t.same(bad.body.workers.map((w: { ok: boolean; generation: number }) => [w.ok, w.generation]), [[false, 3], [false, 3]]);
  t.equal((await get(c.port, '/three')).body.tag, 'three', 'the previous config keeps serving');

  c.child.kill('SIGTERM');
  t.same(await c.exited, { code: 0, signal: null });
});

t.test('watching (the default): every worker applies a conf.yaml edit', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dgp-multicore-watch-'));
  writeConf(dir, pidConfig({ prefixes: ['/one'], tag: 'one' }));
  const c = await startCluster(t, dir);
  t.match(c.lines().find((l) => l.role === 'primary'), { watch: true });
  writeConf(dir, pidConfig({ prefixes: ['/two'], tag: 'two' }));
  const two = new Set<number>();
  await waitFor(async () => {
    for (const pid of await servingPids(c.port, '/two', { want: 2, max: 6, tag: 'two' })) two.add(pid);
    return two.size === 2;
  }, 10_000, 'both workers to serve /two after the edit');
  t.same([...two].sort(), [...c.pids].sort());
  c.child.kill('SIGTERM');
  t.same(await c.exited, { code: 0, signal: null }, 'the workers\' watchers do not keep anything alive');
});
