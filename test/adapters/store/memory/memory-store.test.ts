// dgp.adapter.store.memory: the shared store contract, plus what only the in-process store does (bounded size).
import t from 'tap';
import { MemoryStore } from '../../../../adapters/store/memory/memory-store.js';
import { runLimitsContract } from '../limits-contract.js';
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

t.test('limits contract', async (t) => {
  runLimitsContract(t, async (key_prefix) => new MemoryStore(config({ key_prefix })));
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
