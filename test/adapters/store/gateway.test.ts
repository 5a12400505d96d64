// Store adapters in a running gateway: a filter finds its store by adapter id (an unknown id fails the load with
// file:line), /ready shows each store, an unchanged config keeps the Redis connection across a reload, a Redis outage
// gives coded per-call errors and /ready 503, and Gateway.close() leaves no open handle behind.
import { Redis } from 'ioredis';
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';
import { startRedis } from '../../helpers/redis-server.js';
import { PROBE_PLUGIN, probeConf, resetProbe } from '../../core/services/helpers.js';
import { activeResources, waitFor } from '../../core/reload/helpers.js';

const server = await startRedis();
t.teardown(() => server.close());

const adapters = (redisPort: number) => `    - {id: local, name: dgp.adapter.store.memory}
    - id: shared
      name: dgp.adapter.store.redis
      config: {port: ${redisPort}, key_prefix: "gw-test:", connect_timeout: 300ms, command_timeout: 300ms, reconnect_min: 50ms, reconnect_max: 200ms}
`;
const call = async (url: string): Promise<{ status: number; body: any }> => {
  const res = await request(url, { reset: true });
  return { status: res.statusCode, body: await res.body.json() };
};

t.test('a filter uses a Redis store by id; reload keeps the connection; outage and recovery', async (t) => {
  resetProbe();
  const raw = new Redis(server.port, '127.0.0.1');
  t.teardown(() => raw.disconnect());
  await raw.flushall();
  const g = await startGateway(probeConf('s', { store: 'shared', adapters: adapters(server.port) }), { pluginDirs: [PROBE_PLUGIN] });
  t.teardown(() => g.close());
  t.match((await call(`${g.url()}/`)).body, { hits: 1 });
  t.match((await call(`${g.url()}/`)).body, { hits: 2 });
  t.equal(await raw.get('gw-test:hits'), '2', 'the counter lives in Redis under key_prefix');
  const key = `dgp.adapter.store.redis:127.0.0.1:${server.port}/0`;
  t.match((await call(`${g.adminUrl}/ready`)).body, { status: 'ready', detail: { [key]: { ready: true }, 'dgp.adapter.store.memory:default': { ready: true } } });

  const clients = async () => (await raw.client('LIST') as string).trim().split('\n').length;
  const before = await clients();
  await g.writeConfig(probeConf('s', { store: 'shared', adapters: adapters(server.port) }));
  t.match(await g.gw.reload(), { ok: true });
  t.equal(await clients(), before, 'no new connection: the store service was kept');

  await server.stop(true);
  const failed = await call(`${g.url()}/`);
  t.equal(failed.status, 503, 'the filter let the coded error through');
  t.match(JSON.stringify(failed.body), /DGP_ERR_STORE_UNAVAILABLE/);
  const down = await call(`${g.adminUrl}/ready`);
  t.equal(down.status, 503);
  t.match(down.body, { status: 'not_ready', reason: new RegExp(`${key.replace(/\./g, '\\.')}: redis .* is not connected`) });

  await server.start();
  await waitFor(async () => (await call(`${g.adminUrl}/ready`)).status === 200, 5000, 'ready again after redis restarted');
  t.match((await call(`${g.url()}/`)).body, { hits: 1 }, 'works again (the restarted server is empty)');
});

t.test('an unknown store id, or an adapter that is not a store, fails the load with file:line', async (t) => {
  resetProbe();
  const unknown = probeConf('u', { store: 'nope', adapters: '    - {id: local, name: dgp.adapter.store.memory}\n' });
  await t.rejects(startGateway(unknown, { pluginDirs: [PROBE_PLUGIN] }), {
    message: /conf\.yaml:\d+.*DGP_ERR_STORE_UNKNOWN|conf\.yaml:\d+[\s\S]*no adapter with id "nope".*known store ids: local/,
  });
  const notStore = probeConf('u', { store: 'reg', adapters: '    - {id: reg, name: dgp.adapter.llmregistrycenter, config: {registries: {}}}\n' });
  await t.rejects(startGateway(notStore, { pluginDirs: [PROBE_PLUGIN] }), { message: /adapter "reg" is dgp\.adapter\.llmregistrycenter, not a store/ });
});

const WATCHED = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout', 'FSEventWrap', 'MessagePort', 'Immediate'];
const pick = (r: Record<string, number>) => Object.fromEntries(WATCHED.map((k) => [k, r[k] ?? 0]));

t.test('Gateway.close() leaves no open handle: listeners, admin, Redis client, timers, worker threads', async (t) => {
  resetProbe();
  const baseline = pick(activeResources());
  const g = await startGateway(probeConf('h', { store: 'shared', adapters: adapters(server.port) }), { pluginDirs: [PROBE_PLUGIN] });
  t.match((await call(`${g.url()}/`)).body, { label: 'h' });
  t.ok(pick(activeResources()).TCPSocketWrap > baseline.TCPSocketWrap!, 'the Redis connection was open');
  await g.close();
  // Handles the gateway opened are gone; one the test runner held at the baseline (a loader's MessagePort) may be too.
  const extra = () => Object.entries(pick(activeResources())).filter(([k, n]) => n > baseline[k]!);
  await waitFor(() => extra().length === 0, 3000, 'handles back to baseline').catch(() => undefined);
  t.same(extra(), [], 'no handle left that was not there before the gateway started');
});
