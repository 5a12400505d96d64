// The budget engine over a real redis-server: the shared engine suite with every instance on its own ioredis
// connection, counters that carry their window's TTL, and fail_mode closed / open when Redis is down.
import { Redis } from 'ioredis';
import t from 'tap';
import { pino } from 'pino';
import { BudgetEngine } from '../../../../../filters/llm/keys/budget/engine.js';
import { startRedis } from '../../../../helpers/redis-server.js';
import { redisStore } from '../../../../adapters/store/redis/helpers.js';
import { keyBudget, NOW, runEngineSuite, USD } from './engine-suite.js';

const server = await startRedis();
t.teardown(() => server.close());

t.test('engine suite (redis, one connection per instance)', async (t) => {
  runEngineSuite(t, () => redisStore({ url: server.url, key_prefix: 'gw:' }));
});

t.test('a counter lives until its window ends (plus the lease); its hold bookkeeping too', async (t) => {
  const store = await redisStore({ url: server.url, key_prefix: 'gw:' });
  const raw = new Redis(server.port, '127.0.0.1');
  t.teardown(async () => (await store.close(), raw.disconnect()));
  const e = new BudgetEngine({ store, keyPrefix: '{ttl}:', leaseMs: 60_000 });
  const now = Date.now();
  const r = await e.reserve([keyBudget('kttl', 10 * USD, { duration: '1h' })], USD, 'rttl', now);
  t.ok(r.ok);
  const windowEnd = Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000;
  const key = `gw:{ttl}:b:key:kttl:${windowEnd - 3_600_000}`;
  const pttl = await raw.pttl(key);
  t.ok(pttl >= windowEnd - now && pttl <= windowEnd - now + 60_000, `counter TTL ${pttl} ms covers the window end`);
  t.ok((await raw.pttl(`${key}:leases`)) >= pttl, 'the leases outlive the counter by the lease');
  t.equal(await raw.hget(`${key}:holds`, 'rttl'), String(USD));
});

t.test('Redis down: DGP_ERR_STORE_UNAVAILABLE; fail_mode closed rejects, open admits without a hold', async (t) => {
  const store = await redisStore({ url: server.url, key_prefix: 'gw:', command_timeout: '300ms' });
  t.teardown(() => store.close());
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
  const closed = new BudgetEngine({ store, keyPrefix: '{down}:', log });
  const open = new BudgetEngine({ store, keyPrefix: '{down}:', failMode: 'open', log });
  const budget = keyBudget('kd', 10 * USD);
  await server.stop(true);
  t.teardown(() => server.start());
  const c = await closed.reserve([budget], USD, 'rd-1', NOW);
  t.match(c, { ok: false, reason: 'store_unavailable', error: { code: 'DGP_ERR_STORE_UNAVAILABLE', status: 503 } });
  const o = await open.reserve([budget], USD, 'rd-2', NOW);
  t.match(o, { ok: true, hold: { guarded: false } });
  if (o.ok) t.match(await open.settle(o.hold, USD), { ok: false, error: { code: 'DGP_ERR_STORE_UNAVAILABLE' } }, 'settle reports the outage too');
  t.match(lines.join(''), /budget reserve failed: .*fail_mode closed: rejected/);
  t.match(lines.join(''), /fail_mode open: admitted without a hold/);
});
