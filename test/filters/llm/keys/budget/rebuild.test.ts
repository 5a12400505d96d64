// Counters rebuilt from the spend ledger (the SQLite KeyStore): the current window's sum, set once even when 3
// instances rebuild at the same moment, and a missing counter is rebuilt by the admission itself (a restarted Redis).
import { Redis } from 'ioredis';
import t from 'tap';
import { MemoryStore } from '../../../../../adapters/store/memory/memory-store.js';
import { openSqliteStore } from '../../../../../adapters/store/sqlite/sqlite-store.js';
import type { Store } from '../../../../../core/index.js';
import type { SpendRow } from '../../../../../core/llm/index.js';
import { applicableBudgets } from '../../../../../filters/llm/keys/budget/budgets.js';
import { BudgetEngine } from '../../../../../filters/llm/keys/budget/engine.js';
import { startRedis } from '../../../../helpers/redis-server.js';
import { redisStore } from '../../../../adapters/store/redis/helpers.js';
import { DAY, NOW, USD } from './engine-suite.js';

const row = (id: string, ts: number, cost: number, model = 'gpt-4o'): SpendRow => ({
  request_id: id, ts, key_id: 'k1', team_id: 't1', user_id: null, end_user: null, model, provider: 'openai', endpoint: 'e',
  route: 'r', input_tokens: 1, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0,
  cost_nanos: cost, cache: null, status: 200,
});

const ledger = openSqliteStore({ path: ':memory:' });
t.teardown(() => ledger.close());
await ledger.appendSpend([
  row('old', NOW - DAY, 50 * USD),
  row('a', NOW - 3_600_000, 2 * USD),
  row('b', NOW - 60_000, 3 * USD, 'gpt-4o-mini'),
]);
const budgets = applicableBudgets({
  model: 'gpt-4o',
  key: { id: 'k1', max_budget_nanos: 10 * USD, budget_duration: '1d', model_budgets: { 'gpt-4o': { max_budget_nanos: 4 * USD, budget_duration: '1d' } } },
  team: { id: 't1', max_budget_nanos: 100 * USD, budget_duration: null },
});

const server = await startRedis();
t.teardown(() => server.close());
const shared = new MemoryStore({ key_prefix: '', max_keys: 1000, sweep_interval_ms: 10_000 });
t.teardown(() => shared.close());

const backends: Array<[string, () => Promise<Store>]> = [
  ['memory', async () => shared],
  ['redis', () => redisStore({ url: server.url, key_prefix: 'rb:' })],
];
let seq = 0;
for (const [name, connect] of backends) {
  t.test(`${name}: 3 instances rebuild at once; each counter is set once to the ledger's window sum`, async (t) => {
    const keyPrefix = `{rb${++seq}}:`;
    const stores = await Promise.all([connect(), connect(), connect()]);
    if (name === 'redis') t.teardown(() => Promise.all(stores.map((s) => s.close())));
    const es = stores.map((store) => new BudgetEngine({ store, ledger, keyPrefix }));
    const written = await Promise.all(es.map((e) => e.rebuild(budgets, NOW)));
    for (const [i] of budgets.entries()) t.equal(written.filter((w) => w[i]).length, 1, `${budgets[i]!.id}: written by one instance`);
    t.equal(await es[0]!.spent(budgets[0]!, NOW), 5 * USD, 'key, this day: 2 + 3');
    t.equal(await es[0]!.spent(budgets[1]!, NOW), 2 * USD, 'key, gpt-4o only: 2');
    t.equal(await es[0]!.spent(budgets[2]!, NOW), 55 * USD, 'team, lifetime: every row');
    t.match(await es[1]!.reserve(budgets, 3 * USD, 'rb-1', NOW), { ok: false, denial: { budget: { id: 'key:k1:model:gpt-4o' }, spent_nanos: 2 * USD } });
    t.ok((await es[2]!.reserve(budgets, 2 * USD, 'rb-2', NOW)).ok, 'what the ledger leaves still fits');
  });
}

t.test('redis restarted empty: the first admission rebuilds its counters from the ledger', async (t) => {
  const store = await redisStore({ url: server.url, key_prefix: 'rb:' });
  const raw = new Redis(server.port, '127.0.0.1');
  t.teardown(async () => (await store.close(), raw.disconnect()));
  const e = new BudgetEngine({ store, ledger, keyPrefix: '{rs}:' });
  t.ok((await e.reserve(budgets, USD, 'rs-1', NOW)).ok);
  await raw.flushall();
  t.match(await e.reserve(budgets, 3 * USD, 'rs-2', NOW), { ok: false, denial: { budget: { id: 'key:k1:model:gpt-4o' }, spent_nanos: 2 * USD } }, 'the ledger spend is back, not 0 (no false admission)');
  t.equal(await e.spent(budgets[2]!, NOW), 55 * USD);
});

t.test('the ledger unreadable while a counter must be rebuilt: an outage for fail_mode, not a crash', async (t) => {
  const broken = { sumSpend: () => Promise.reject(new Error('connection refused')) };
  const closed = new BudgetEngine({ store: shared, ledger: broken, keyPrefix: '{lb}:' });
  t.match(await closed.reserve(budgets, USD, 'lb-1', NOW), { ok: false, reason: 'store_unavailable', error: { code: 'DGP_ERR_KEYSTORE_UNAVAILABLE', status: 503, message: /spend ledger could not be read.*connection refused/ } });
  const open = new BudgetEngine({ store: shared, ledger: broken, keyPrefix: '{lb}:', failMode: 'open' });
  t.match(await open.reserve(budgets, USD, 'lb-2', NOW), { ok: true, hold: { guarded: false } });
});
