// The memory store the primary of `dgp start --workers N` hosts for its workers: the store and limits contracts
// through the worker-side client and the primary-side host, every message structured-cloned as the IPC channel does;
// two workers' clients see one store; an unanswered call fails as an unreachable store, never hangs.
import t from 'tap';
import { isDgpError } from '../../../core/index.js';
import { PrimaryHostedStore, type StoreTransport } from '../../../core/multicore/shared-store.js';
import { SharedStoreHost } from '../../../core/multicore/shared-store-host.js';
import { runLimitsContract } from '../../adapters/store/limits-contract.js';
import { runStoreContract } from '../../adapters/store/store-contract.js';

const options = (key_prefix: string) => ({ key_prefix, max_keys: 100_000, sweep_interval_ms: 10_000, shared: true });
const host = new SharedStoreHost();
t.teardown(() => host.close());
/** What the cluster channel does to a message ('advanced' serialization): a structured clone each way. */
const loopback: StoreTransport = async (call) => structuredClone(await host.handle(structuredClone(call)));

t.test('store contract through the primary', async (t) => {
  runStoreContract(t, async (prefix) => new PrimaryHostedStore(options(prefix), 'test', loopback));
});

t.test('limits contract through the primary', async (t) => {
  runLimitsContract(t, async (prefix) => new PrimaryHostedStore(options(prefix), 'test', loopback));
});

t.test('two workers share one store: 100 admissions from both against 20 per minute admit 20', async (t) => {
  const a = new PrimaryHostedStore(options('both:'), 'test', loopback);
  const b = new PrimaryHostedStore(options('both:'), 'test', loopback);
  const req = (id: string) => ({ id, leaseMs: 1000, rates: [{ key: 'k', cost: 1, limit: 20, periodMs: 60_000 }], leases: [] });
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).admit(req(`r${i}`))));
  t.equal(results.filter((r) => r.ok).length, 20);
  await a.set('seen', 'by-a');
  t.equal(await b.get('seen'), 'by-a');
  const other = new PrimaryHostedStore(options('both:'), 'another-service', loopback);
  t.equal(await other.get('seen'), undefined, 'another service label is another store');
});

t.test('a call the primary does not answer fails with DGP_ERR_STORE_UNAVAILABLE within its timeout', async (t) => {
  // The real IPC transport: under tap the channel leads to tap, which never answers; without one the call fails at once.
  const s = new PrimaryHostedStore(options(''), 'test', undefined, 100);
  const started = Date.now();
  const err = await s.admit({ id: 'x', leaseMs: 1000, rates: [], leases: [{ key: 'c', limit: 1 }] }).catch((e: unknown) => e);
  t.ok(isDgpError(err) && err.code === 'DGP_ERR_STORE_UNAVAILABLE', String(err));
  t.ok(Date.now() - started < 1000, 'never hangs');
});
