// The filter on its own, with a store it does not own: onComplete waits for an admission still in flight (the host
// runs it when a timeout cut decode short) and releases what it took; a failed reconcile never throws; a store error
// that is not an outage is a bug and fails the request instead of being taken for one.
import t from 'tap';
import { MemoryStore, MEMORY_STORE_DEFAULTS, type AdmitRequest, type ReconcileRequest, type Store } from '../../../../core/index.js';
import manifest from '../../../../filters/llm/ratelimit/index.js';
import type { RateLimitFilter } from '../../../../filters/llm/ratelimit/filter.js';
import { validatePluginConfig } from '../../../../core/registry/index.js';
import { stubFactoryContext } from '../../../helpers/factory-context.js';
import { testContext } from '../../../helpers/request-context.js';

/** A memory store whose admissions take `delayMs`, recording every reconcile. */
function slowStore(delayMs: number): Store & { reconciled: ReconcileRequest[] } {
  const inner = new MemoryStore({ ...MEMORY_STORE_DEFAULTS, shared: false });
  const reconciled: ReconcileRequest[] = [];
  return Object.assign(Object.create(inner) as Store, {
    kind: inner.kind,
    reconciled,
    admit: async (req: AdmitRequest) => (await new Promise((r) => setTimeout(r, delayMs)), inner.admit(req)),
    reconcile: async (req: ReconcileRequest) => (reconciled.push(req), inner.reconcile(req)),
    close: () => inner.close(),
  });
}

async function filterWith(store: Store): Promise<RateLimitFilter> {
  const raw = { store: 's', rules: [{ scope: 'route', concurrency: 1, requests: { per_minute: 100 } }] };
  const { config } = validatePluginConfig({ manifest }, raw);
  return (await manifest.create(config as never, stubFactoryContext({ stores: { s: store } }))) as RateLimitFilter;
}

const request = () => testContext({ method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } });

t.test('onComplete during a slow admission waits for it and releases the slot it took', async (t) => {
  const store = slowStore(80);
  t.teardown(() => store.close());
  const f = await filterWith(store);
  const ctx = request();
  const decoding = f.decode(ctx);
  // What the host does when its timeout fires while decode is still running: onComplete at once.
  await f.onComplete(ctx);
  t.equal(store.reconciled.length, 1, 'released after the admission landed');
  t.equal(store.reconciled[0]!.leases.length, 1);
  await decoding;
  const next = request();
  t.equal(await f.decode(next), 'continue', 'the slot is free for the next request');
  await f.onComplete(next);
});

t.test('a reconcile that fails is logged, never thrown; a bug in the store is not taken for an outage', async (t) => {
  const store = slowStore(0);
  store.reconcile = async () => Promise.reject(new Error('boom'));
  const f = await filterWith(store);
  const ctx = request();
  await f.decode(ctx);
  await t.resolves(async () => f.onComplete(ctx), 'onComplete resolves');
  store.admit = async () => Promise.reject(new TypeError('bad cell'));
  await t.rejects(async () => f.decode(request()), TypeError, 'the host turns it into a 500 and logs it');
});
