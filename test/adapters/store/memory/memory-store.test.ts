// dgp.adapter.store.memory: the shared store contract, plus what only the in-process store does (bounded size).
import t from 'tap';
import { MemoryStore } from '../../../../adapters/store/memory/memory-store.js';
import { runStoreContract } from '../store-contract.js';

const config = (over: Partial<{ key_prefix: string; max_keys: number; sweep_interval_ms: number }> = {}) => ({
  key_prefix: '',
  max_keys: 100_000,
  sweep_interval_ms: 10_000,
  ...over,
});

t.test('store contract', async (t) => {
  // Two "stores" with different prefixes stand for two adapters; each has its own map, as two services would.
  runStoreContract(t, async (key_prefix) => new MemoryStore(config({ key_prefix })));
});

t.test('max_keys: a new key evicts the one closest to expiry', async (t) => {
  const s = new MemoryStore(config({ max_keys: 2 }));
  t.teardown(() => s.close());
  await s.set('forever', '1');
  await s.set('soon', '2', { ttlMs: 60_000 });
  await s.set('new', '3');
  t.equal(s.size, 2);
  t.equal(await s.get('soon'), undefined, 'the key with the nearest expiry went');
  t.equal(await s.get('forever'), '1');
});

t.test('a value that is not a counter cannot be incremented or reserved', async (t) => {
  const s = new MemoryStore(config());
  t.teardown(() => s.close());
  await s.set('text', 'abc');
  await t.rejects(s.incrBy('text', 1), TypeError);
  await t.rejects(s.reserve([{ key: 'text', amount: 1, limit: 5 }]), TypeError);
});

t.test('held totals: an expired lease stops counting, the others keep theirs', async (t) => {
  let now = 1_000;
  const s = new MemoryStore(config(), () => now);
  t.teardown(() => s.close());
  await s.set('c', '0');
  const hold = (id: string, amount: number, leaseMs: number) =>
    s.hold({ id, leaseMs, marker: `done:${id}`, items: [{ key: 'c', amount, limit: 100 }] });
  t.match(await hold('a', 30, 1_000), { ok: true, held: [30] });
  now += 500;
  t.match(await hold('b', 40, 1_000), { ok: true, held: [70] });
  t.match(await hold('c1', 40, 1_000), { ok: false, reason: 'limit', held: [70] }, '30 + 40 + 40 > 100');
  now += 600; // a's lease is over, b's is not
  t.match(await hold('c2', 40, 1_000), { ok: true, held: [80] }, 'b (40) + c2 (40)');
  await s.settle({ id: 'b', marker: 'done:b', markerTtlMs: 1_000, items: [{ key: 'c', amount: 35 }] });
  t.equal(await s.get('c'), '35');
  t.match(await hold('d', 25, 1_000), { ok: true, settled: [35], held: [65] }, 'c2 (40) + d (25) held, 35 settled');
});

t.test('settled markers live one to two marker periods', async (t) => {
  let now = 0;
  const s = new MemoryStore(config(), () => now);
  t.teardown(() => s.close());
  await s.set('c', '0');
  const settle = (id: string) => s.settle({ id, marker: `done:${id}`, markerTtlMs: 1_000, items: [{ key: 'c', amount: 1 }] });
  t.match(await settle('x'), { applied: true });
  now = 900;
  t.match(await settle('x'), { applied: false }, 'within the TTL');
  now = 1_500;
  t.match(await settle('x'), { applied: false }, 'one period later: still remembered');
  t.match(await s.hold({ id: 'x', leaseMs: 1_000, marker: 'done:x', items: [{ key: 'c', amount: 1, limit: 10 }] }), { ok: false, reason: 'settled' });
  now = 2_100;
  t.match(await settle('x'), { applied: true }, 'two periods later: forgotten');
  t.equal(await s.get('c'), '2');
});
