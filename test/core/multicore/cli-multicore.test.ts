// `dgp start --workers 2` as a user runs it (compiled dist/, real child processes): two worker pids serve one port,
// the primary's admin listener aggregates exact metric sums, and SIGTERM drains an in-flight stream before exiting 0.
// A killed worker and one that will not finish are in cli-multicore-failures.test.ts (run beside this file).
import http from 'node:http';
import t from 'tap';
import { adminCall, confDir, get, pidConfig, servingPids, startCluster, sumOf, waitFor } from './helpers.js';

/** A port that was free a moment ago (for metric.prometheus_port, which has no "any port" value). */
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

t.test('two workers share the listener; one admin listener aggregates them', async (t) => {
  const promPort = await freePort();
  const c = await startCluster(t, confDir(pidConfig({ tail: `metric: {enable: true, prometheus_port: ${promPort}}` })), ['--no-watch']);
  t.equal(new Set(c.pids).size, 2, 'the start line names two worker pids');
  t.notOk(c.pids.includes(c.child.pid!), 'workers are processes of their own');
  await waitFor(() => c.lines().filter((l) => l.msg === 'worker started').length === 2, 3000, 'each worker logs its own start line');
  t.same(c.lines().filter((l) => l.msg === 'worker started').map((l) => l.pid).sort(), [...c.pids].sort(), 'with its own pid');

  const pids = await servingPids(c.port, '/', { want: 2, max: 40 });
  t.same([...pids].sort(), [...c.pids].sort(), 'requests on new connections are served by both workers');

  const before = sumOf((await adminCall(c.admin, '/metrics')).text, 'dgp_http_requests_total');
  const K = 25;
  const statuses: number[] = [];
  for (let i = 0; i < K; i++) statuses.push((await get(c.port, `/k${i}`)).status);
  t.same(statuses, Array(K).fill(200), `${K} requests answered`);
  let text = '';
  await waitFor(async () => {
    text = (await adminCall(c.admin, '/metrics')).text;
    return sumOf(text, 'dgp_http_requests_total') >= before + K;
  }, 5000, 'the last request to be counted');
  t.equal(sumOf(text, 'dgp_http_requests_total'), before + K, 'dgp_http_requests_total sums every worker exactly');
  t.equal(sumOf(text, 'dgp_http_request_duration_seconds_count'), before + K, 'histogram counts are summed exactly too');
  t.match(text, /^process_resident_memory_bytes\{worker="1"\} \d+/m, 'gauges: one series per worker');
  t.match(text, /^process_resident_memory_bytes\{worker="2"\} \d+/m);
  t.match(text, /^process_resident_memory_bytes\{worker="primary"\} \d+/m);
  t.match(text, /^dgp_cluster_workers\{state="ready"\} 2$/m);
  const pixiu = await new Promise<string>((resolve, reject) =>
    http.get({ host: '127.0.0.1', port: promPort, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject),
  );
  t.equal(sumOf(pixiu, 'dgp_http_requests_total'), before + K, 'metric.prometheus_port is served by the primary with the same sums');

  const ready = await adminCall(c.admin, '/ready');
  t.equal(ready.status, 200);
  t.match(ready.body, { status: 'ready', workers: [{ worker: 1, ready: true, generation: 1 }, { worker: 2, ready: true, generation: 1 }] });
  const config = await adminCall(c.admin, '/config');
  t.equal(config.status, 200);
  t.match(config.body, { generation: 1, config: { static_resources: {} }, runtime: { listeners: { main: c.port } } });
  t.same(config.body.workers.map((w: { pid: number; restarts: number; ready: boolean }) => [w.pid, w.restarts, w.ready]), c.pids.map((p) => [p, 0, true]));
  const plugins = await adminCall(c.admin, '/plugins');
  t.ok(plugins.body.some((p: { kind: string }) => p.kind === 'multicore.pid'), '/plugins lists the workers\' plugins');
  const clusters = await adminCall(c.admin, '/admin/v1/clusters');
  t.equal(clusters.status, 200);
  t.same(clusters.body.workers.map((w: { worker: number; clusters: unknown[] }) => [w.worker, Array.isArray(w.clusters)]), [[1, true], [2, true]], '/admin/v1/clusters: every worker\'s own view');
  t.same(clusters.body.clusters, clusters.body.workers[0].clusters);
  t.equal((await adminCall(c.admin, '/health')).status, 200);
  t.equal((await adminCall(c.admin, '/nope')).status, 404);

  c.child.kill('SIGTERM');
  t.same(await c.exited, { code: 0, signal: null });
});

t.test('SIGTERM: every worker drains (an in-flight stream completes), then the primary exits 0', async (t) => {
  const c = await startCluster(t, confDir(pidConfig({ stream: { chunks: 20, interval_ms: 50 } })), ['--no-watch']);
  const body: string[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: c.port, path: '/stream', agent: false }, (res) => {
      res.on('data', (d: Buffer) => body.push(d.toString()));
      res.on('end', resolve);
      res.on('error', reject);
    }).on('error', reject);
  });
  await waitFor(() => body.length > 0, 5000, 'the first chunk');
  c.child.kill('SIGTERM');
  await waitFor(async () => (await get(c.port, '/new').then(() => false, () => true)), 5000, 'new connections to be refused');
  await ended;
  t.equal(body.join('').split('data: ').length - 1, 20, 'the in-flight stream completed');
  t.same(await c.exited, { code: 0, signal: null });
  t.ok(c.lines().some((l) => l.role === 'primary' && l.msg === 'shutdown complete'));
  t.equal(c.lines().filter((l) => l.msg === 'worker draining').length, 2, 'both workers drained');
});
