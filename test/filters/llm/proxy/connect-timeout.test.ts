// `connect_timeout` end to end (reliability property 24a) on loopback only: an endpoint whose TCP connect never
// completes fails as connect_error within connect_timeout + 500 ms and falls back; alone it is a 504. The timer is
// core/upstream/connector.ts's own setTimeout per connect (undici's connect.timeout ticks at ~500 ms and ran ~1 s late).
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import t from 'tap';
import { request } from 'undici';
import { UpstreamAttempts } from '../../../../core/index.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { proxyConf, startGateway } from '../../../helpers/gateway.js';
import { proxyHarness } from './helpers/setup.js';

// The listening socket lives in a worker thread that blocks right after listen(): nothing ever calls accept(), so
// once the kernel's accept queue (backlog 1) is full, further SYNs are dropped and connect() hangs — a blackhole
// without leaving 127.0.0.1. Atomics.wait is bounded, so the worker ends even if teardown never runs.
const BLACKHOLE = `
const { workerData, parentPort } = require('node:worker_threads');
const { createServer } = require('node:net');
const flag = new Int32Array(workerData);
const server = createServer(() => {});
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(flag, 0, 0, 60000);
  server.close();
});
`;

interface Blackhole {
  port: number;
  close(): Promise<void>;
}

const NO_BLACKHOLE = 'this system completes loopback connects beyond the backlog, so no connect can be made to hang';
/** How late a connect timeout may answer (scheduling on a busy machine, the fallback's own request). */
const LATE_MS = 500;

/** Connects once; 'hang' when the connect neither completes nor fails within `ms`. */
function probe(port: number, ms: number, sockets: Socket[]): Promise<'connected' | 'hang' | 'error'> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    sockets.push(s);
    const timer = setTimeout(() => resolve('hang'), ms);
    s.once('connect', () => (clearTimeout(timer), resolve('connected')));
    s.once('error', () => (clearTimeout(timer), resolve('error')));
  });
}

/** A loopback port whose connects hang, or undefined when this system completes them anyway. */
async function startBlackhole(): Promise<Blackhole | undefined> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(BLACKHOLE, { eval: true, workerData: flag.buffer });
  const port = await new Promise<number>((resolve, reject) => (worker.once('message', resolve), worker.once('error', reject)));
  const fillers: Socket[] = [];
  const close = async (): Promise<void> => {
    for (const s of fillers) s.destroy();
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    await worker.terminate();
  };
  // Fill the accept queue (backlog + 1 on Linux); bounded number of tries.
  for (let i = 0; i < 8; i++) {
    if ((await probe(port, 200, fillers)) === 'hang') return { port, close };
  }
  await close();
  return undefined;
}

t.test('connect_timeout: a connect that never completes fails as connect_error and falls back in time', async (t) => {
  const hole = await startBlackhole();
  if (hole === undefined) return void t.pass('connect_timeout', { skip: NO_BLACKHOLE });
  const ok = await FakeUpstream.start();
  const h = await proxyHarness([{ id: 'hole', to: hole.port, llm: { fallback: true, health_check_interval: 0 } }, { id: 'ok', to: ok }], { connect_timeout: '300ms' });
  t.teardown(async () => (await h.close(), await ok.close(), await hole.close()));
  t.equal(h.filter.options.connectTimeout, 300);

  const at = performance.now();
  const ctx = await h.run({}, 'hole');
  const took = performance.now() - at;
  t.equal(ctx.response.status, 200);
  t.equal(ctx.response.headers['x-dgp-attempts'], 'hole=connect_error;ok=200');
  t.match(ctx.get(UpstreamAttempts), [{ endpoint_id: 'hole', status: 0, success: false, error_type: 'connect_error' }, { endpoint_id: 'ok', success: true }]);
  t.ok(took >= 290 && took < 300 + LATE_MS, `fell back after ${took.toFixed(0)} ms: within connect_timeout (300 ms) + ${LATE_MS} ms`);

  const alone = await proxyHarness([{ id: 'hole', to: hole.port }], { connect_timeout: '300ms' });
  t.teardown(() => alone.close());
  const at2 = performance.now();
  const c2 = await alone.run();
  const took2 = performance.now() - at2;
  t.equal(c2.response.status, 504, 'a connect timeout with nothing to fall back to');
  t.match(c2.errors[0], { code: 'DGP_ERR_UPSTREAM_TIMEOUT', message: /endpoint \[hole\] retry: request error: UND_ERR_CONNECT_TIMEOUT/ });
  t.ok(took2 >= 290 && took2 < 300 + LATE_MS, `answered after ${took2.toFixed(0)} ms: within connect_timeout (300 ms) + ${LATE_MS} ms`);
});

t.test('connect_timeout from conf.yaml, through the host', async (t) => {
  const hole = await startBlackhole();
  if (hole === undefined) return void t.pass('connect_timeout', { skip: NO_BLACKHOLE });
  const ok = await FakeUpstream.start();
  const g = await startGateway(
    proxyConf({
      filters: `
                - name: dgp.filter.llm.proxy
                  config: {connect_timeout: 250ms}`,
      clusters: `
    - name: chat
      lb_policy: RoundRobin
      endpoints:
        - id: hole
          socket_address: {address: 127.0.0.1, port: ${hole.port}}
          llm_meta: {provider: openai, fallback: true, health_check_interval: 0}
        - id: ok
          socket_address: {address: 127.0.0.1, port: ${ok.port}}
          llm_meta: {provider: openai}`,
    }),
  );

  t.teardown(async () => (await g.close(), await ok.close(), await hole.close()));
  // Round robin starts at the first endpoint, the blackhole.
  const at = performance.now();
  const res = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[]}', headers: { 'content-type': 'application/json' } });
  const took = performance.now() - at;
  t.equal(res.statusCode, 200);
  t.equal(res.headers['x-dgp-attempts'], 'hole=connect_error;ok=200');
  t.match(await res.body.json(), { choices: [{ message: { content: 'hello' } }] });
  t.ok(took >= 240 && took < 250 + LATE_MS, `answered after ${took.toFixed(0)} ms: within connect_timeout (250 ms) + ${LATE_MS} ms`);
});
