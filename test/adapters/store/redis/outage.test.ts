// Redis unreachable: every call fails with DGP_ERR_STORE_UNAVAILABLE within command_timeout (never hangs) and
// readiness says why; after a kill and restart of redis-server the same store recovers on its own.
import t from 'tap';
import { isDgpError } from '../../../../core/index.js';
import type { TapTest } from '../../../helpers/conformance.js';
import { freePort } from '../../../helpers/etcd-server.js';
import { startRedis } from '../../../helpers/redis-server.js';
import { redisStore } from './helpers.js';

const BOUND_MS = 1500; // command_timeout 300ms plus generous scheduling slack on a shared machine

async function failsFast(t: TapTest, call: () => Promise<unknown>, what: string): Promise<void> {
  const started = Date.now();
  const err = await call().then(() => undefined, (e: unknown) => e);
  const took = Date.now() - started;
  t.ok(isDgpError(err) && err.code === 'DGP_ERR_STORE_UNAVAILABLE', `${what}: DGP_ERR_STORE_UNAVAILABLE (${String(err)})`);
  t.ok(took < BOUND_MS, `${what}: failed in ${took} ms`);
}

t.test('nothing listens on the port: coded errors at once, readiness false', async (t) => {
  const port = await freePort();
  const store = await redisStore({ port, connect_timeout: '300ms', command_timeout: '300ms', reconnect_min: '50ms', reconnect_max: '200ms' });
  t.teardown(() => store.close());
  await failsFast(t, () => store.get('k'), 'get');
  await failsFast(t, () => store.incrBy('k', 1), 'incrBy');
  await failsFast(t, () => store.reserve([{ key: 'k', amount: 1, limit: 2 }]), 'reserve');
  const r = store.readiness();
  t.equal(r.ready, false);
  t.match(r.reason, new RegExp(`redis 127\\.0\\.0\\.1:${port}/0 is not connected`));
});

t.test('killed and restarted: calls fail fast while it is down, then work again', async (t) => {
  const server = await startRedis();
  t.teardown(() => server.close());
  const store = await redisStore({ port: server.port, connect_timeout: '300ms', command_timeout: '300ms', reconnect_min: '50ms', reconnect_max: '200ms' });
  t.teardown(() => store.close());
  t.equal(await store.incrBy('n', 1), 1);
  await server.stop(true);
  await failsFast(t, () => store.incrBy('n', 1), 'incrBy while redis is down');
  t.equal(store.readiness().ready, false, 'readiness reports the outage');
  await server.start();
  const until = Date.now() + 5000;
  while (!store.readiness().ready && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  t.equal(store.readiness().ready, true, 'reconnected on its own');
  t.equal(await store.incrBy('n', 1), 1, 'works again (the restarted server is empty)');
});
