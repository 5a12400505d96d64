// The budget engine over dgp.adapter.store.memory: the shared engine suite (instances share one in-process store).
import t from 'tap';
import type { Store } from '../../../../../core/index.js';
import { MemoryStore } from '../../../../../adapters/store/memory/memory-store.js';
import { runEngineSuite } from './engine-suite.js';

const shared = new MemoryStore({ key_prefix: '', max_keys: 100_000, sweep_interval_ms: 10_000 });
t.teardown(() => shared.close());
// Each engine "closes" its store at teardown; the shared map outlives them.
const view = async (): Promise<Store> => ({
  kind: shared.kind,
  callsRunOnce: shared.callsRunOnce,
  get: (k) => shared.get(k),
  set: (k, v, o) => shared.set(k, v, o),
  delete: (k) => shared.delete(k),
  incrBy: (k, b, o) => shared.incrBy(k, b, o),
  reserve: (items) => shared.reserve(items),
  setIfAbsent: (k, v, o) => shared.setIfAbsent(k, v, o),
  hold: (r) => shared.hold(r),
  settle: (r) => shared.settle(r),
  admit: (r) => shared.admit(r),
  reconcile: (r) => shared.reconcile(r),
  readiness: () => shared.readiness(),
  close: () => undefined,
});

t.test('engine suite (memory)', async (t) => {
  runEngineSuite(t, view);
});
