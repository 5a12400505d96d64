// dgp.adapter.store.redis against a real redis-server: the shared store contract, the key prefix on the server,
// scripts surviving SCRIPT FLUSH (NOSCRIPT → EVAL), and the connection options.
import { Redis } from 'ioredis';
import t from 'tap';
import { redisConnection } from '../../../../adapters/store/redis/connection.js';
import { startRedis } from '../../../helpers/redis-server.js';
import { runLimitsContract } from '../limits-contract.js';
import { runStoreContract } from '../store-contract.js';
import { redisConfig, redisStore } from './helpers.js';

const server = await startRedis();
t.teardown(() => server.close());

t.test('store contract', async (t) => {
  runStoreContract(t, (key_prefix) => redisStore({ url: server.url, key_prefix }));
});

t.test('limits contract', async (t) => {
  runLimitsContract(t, (key_prefix) => redisStore({ url: server.url, key_prefix }));
});

t.test('keys carry key_prefix on the server; scripts survive SCRIPT FLUSH', async (t) => {
  const store = await redisStore({ port: server.port, key_prefix: 'gw1:' });
  const raw = new Redis(server.port, '127.0.0.1');
  t.teardown(async () => (await store.close(), raw.disconnect()));
  await store.set('k', 'v');
  t.equal(await raw.get('gw1:k'), 'v');
  t.equal(await store.incrBy('n', 2, { ttlMs: 60_000 }), 2);
  const pttl = await raw.pttl('gw1:n');
  t.ok(pttl > 0 && pttl <= 60_000, `the counter has its TTL (${pttl} ms)`);
  await raw.script('FLUSH');
  t.equal(await store.incrBy('n', 1), 3, 'NOSCRIPT: the script is sent again');
  await raw.script('FLUSH');
  t.match(await store.reserve([{ key: 'n', amount: 1, limit: 10 }]), { ok: true, values: [4] });
});

t.test('connection options: url wins, the address label never shows the password', async (t) => {
  const c = redisConnection(redisConfig({ url: 'redis://app:s3cret@10.0.0.5:6390/3', host: 'ignored' }));
  t.match(c.options, { host: '10.0.0.5', port: 6390, db: 3, username: 'app', password: 's3cret', enableOfflineQueue: false, keyPrefix: 'dgp:' });
  t.equal(c.address, '10.0.0.5:6390/3');
  const d = redisConnection(redisConfig({ host: '::1', command_timeout: '250ms' }));
  t.match(d.options, { host: '::1', port: 6379, db: 0, commandTimeout: 250 });
  t.equal(d.address, '[::1]:6379/0');
});
