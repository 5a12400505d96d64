// `dgp start --workers 2` when workers fail (compiled dist/, real child processes): a worker killed with SIGKILL is
// replaced with backoff while service continues, and a worker still running after the drain timeout is killed so the
// primary still exits. Kept apart from cli-multicore.test.ts: each waits out backoffs and timeouts of several seconds.
import t from 'tap';
import { adminCall, confDir, get, pidConfig, servingPids, startCluster, waitFor } from './helpers.js';

t.test('a worker killed with SIGKILL is replaced with backoff and service continues', async (t) => {
  const c = await startCluster(t, confDir(pidConfig()), ['--no-watch']);
  const [victim, survivor] = c.pids as [number, number];
  process.kill(victim, 'SIGKILL');

  // Right at the kill a connection may be handed to the dying worker: retry, but every attempt is bounded.
  let served = 0;
  for (let i = 0; i < 40 && served < 10; i++) if ((await get(c.port, '/during').catch(() => undefined))?.status === 200) served++;
  t.equal(served, 10, 'requests keep being answered while worker 1 is down');

  let workers: Array<{ worker: number; pid: number; ready: boolean; restarts: number; last_exit: { signal: string } | null }> = [];
  await waitFor(async () => {
    workers = (await adminCall(c.admin, '/config')).body?.workers ?? [];
    return workers[0]?.pid !== victim && workers[0]?.ready === true;
  }, 10_000, 'worker 1 to be forked again and ready');
  t.match(workers[0], { worker: 1, restarts: 1, ready: true, last_exit: { code: null, signal: 'SIGKILL' } });
  t.match(workers[1], { worker: 2, pid: survivor, restarts: 0 });
  const replacement = workers[0]!.pid;
  await waitFor(() => c.lines().some((l) => l.role === 'primary' && l.signal === 'SIGKILL'), 3000, 'the crash log line');
  const crash = c.lines().find((l) => l.role === 'primary' && l.signal === 'SIGKILL');
  t.match(crash, { level: 'error', worker: 1, workerPid: victim, code: null, restartInMs: 100, msg: /exited with signal SIGKILL; restarting in 100 ms/ }, 'the exit is logged with its signal');

  const pids = await servingPids(c.port, '/after', { want: 2, max: 40 });
  t.ok(pids.has(replacement), 'the replacement serves requests');
  t.ok(pids.has(survivor));
  t.equal((await adminCall(c.admin, '/ready')).status, 200, 'ready again once every worker is');
  t.match((await adminCall(c.admin, '/metrics')).text, /^dgp_cluster_worker_restarts_total\{worker="1"\} 1$/m);

  c.child.kill('SIGTERM');
  t.same(await c.exited, { code: 0, signal: null });
});

t.test('a worker still running 5 s after the drain timeout is killed; the primary still exits', async (t) => {
  const c = await startCluster(t, confDir(pidConfig({ shutdownTimeout: '500ms', hangOnClose: true })), ['--no-watch']);
  c.child.kill('SIGTERM');
  const exit = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);
  t.same(exit, { code: 0, signal: null });
  t.equal(c.lines().filter((l) => l.role === 'primary' && /still running 5000 ms after the drain timeout; killing it/.test(String(l.msg))).length, 2);
});
