// The rate limiter's part of the store contract, run against every Store implementation (memory, redis, the
// primary-hosted shared store): GCRA cells admit a burst of exactly `limit`, drain at limit/period, refuse
// all-or-nothing with the wait the client must observe, reconcile in both directions; leases cap concurrency, are
// released by id and expire by themselves.
import type { Store } from '../../../core/index.js';
import type { TapTest } from '../../helpers/conformance.js';
import type { StoreFactory } from './store-contract.js';

let seq = 0;
const MIN = 60_000;

export function runLimitsContract(t: TapTest, make: StoreFactory): void {
  const fresh = async (tt: TapTest): Promise<Store> => {
    const store = await make(`limits${++seq}:`);
    tt.teardown(() => store.close());
    return store;
  };
  const req = (id: string, cost: number, limit: number, periodMs = MIN) => ({ id, leaseMs: 60_000, rates: [{ key: 'r', cost, limit, periodMs }], leases: [] });

  t.test('admit: a burst of exactly the limit, then the wait for one unit', async (t) => {
    const s = await fresh(t);
    for (let i = 1; i <= 20; i++) {
      const r = await s.admit(req(`a${i}`, 1, 20));
      if (!r.ok) return t.fail(`request ${i} of 20 was refused`);
      t.equal(r.rates[0]!.remaining, 20 - i);
    }
    const r = await s.admit(req('a21', 1, 20));
    t.equal(r.ok, false, 'the 21st is refused');
    if (r.ok) return;
    t.same(r.failed, { kind: 'rate', index: 0 });
    t.ok(r.retryAfterMs > 2900 && r.retryAfterMs <= 3000, `retry after one emission interval (3 s): ${r.retryAfterMs}`);
    t.equal(r.rates[0]!.remaining, 0);
    t.ok(r.rates[0]!.resetMs > 59_000 && r.rates[0]!.resetMs <= 60_000, 'the cell drains in a minute');
  });

  t.test('admit: the cell drains at limit/period (no window edge)', async (t) => {
    const s = await fresh(t);
    t.match(await s.admit(req('x', 10, 10, 400)), { ok: true, rates: [{ remaining: 0 }] });
    t.match(await s.admit(req('y', 1, 10, 400)), { ok: false });
    await new Promise((r) => setTimeout(r, 130));
    const r = await s.admit(req('z', 2, 10, 400));
    t.equal(r.ok, true, 'after 130 ms of a 400 ms period, 3 units have drained: 2 fit');
  });

  t.test('admit: all or nothing across cells; a cost above the limit never fits', async (t) => {
    const s = await fresh(t);
    const two = (id: string, a: number, b: number) => ({ id, leaseMs: 60_000, rates: [{ key: 'a', cost: a, limit: 10, periodMs: MIN }, { key: 'b', cost: b, limit: 10, periodMs: MIN }], leases: [] });
    t.match(await s.admit(two('1', 4, 9)), { ok: true });
    const r = await s.admit(two('2', 4, 2));
    t.match(r, { ok: false, failed: { kind: 'rate', index: 1 } });
    t.match(await s.admit(two('3', 6, 1)), { ok: true, rates: [{ remaining: 0 }, { remaining: 0 }] }, 'cell a was left untouched by the refusal');
    t.match(await s.admit(req('big', 11, 10)), { ok: false, retryAfterMs: -1 });
  });

  t.test('reconcile: a refund frees units, a charge above the reservation is debt', async (t) => {
    const s = await fresh(t);
    t.match(await s.admit(req('r1', 1000, 1000)), { ok: true, rates: [{ remaining: 0 }] });
    await s.reconcile({ id: 'r1', rates: [{ key: 'r', delta: -700, limit: 1000, periodMs: MIN }], leases: [] });
    const after = await s.admit(req('r2', 0, 1000));
    t.ok(after.ok && after.rates[0]!.remaining >= 700 && after.rates[0]!.remaining <= 702, `700 back: ${JSON.stringify(after.rates)}`);
    await s.reconcile({ id: 'r2', rates: [{ key: 'r', delta: 1000, limit: 1000, periodMs: MIN }], leases: [] });
    const debt = await s.admit(req('r3', 1, 1000));
    t.match(debt, { ok: false }, 'charged past the limit: refused until the debt has drained');
    if (!debt.ok) t.ok(debt.retryAfterMs > 17_000, `the wait covers the debt: ${debt.retryAfterMs} ms`);
    await s.reconcile({ id: 'r4', rates: [{ key: 'fresh', delta: -5, limit: 10, periodMs: MIN }], leases: [] });
    t.match(await s.admit({ id: 'r5', leaseMs: 1000, rates: [{ key: 'fresh', cost: 10, limit: 10, periodMs: MIN }], leases: [] }), { ok: true }, 'a refund never goes below empty');
  });

  t.test('leases: at most the limit live; released by id; expired leases free their slot', async (t) => {
    const s = await fresh(t);
    const lease = (id: string, leaseMs = 60_000) => ({ id, leaseMs, rates: [], leases: [{ key: 'c', limit: 2 }] });
    t.match(await s.admit(lease('a')), { ok: true, leases: [1] });
    t.match(await s.admit(lease('b', 150)), { ok: true, leases: [2] });
    t.match(await s.admit(lease('c')), { ok: false, failed: { kind: 'lease', index: 0 }, leases: [2] });
    await s.reconcile({ id: 'a', rates: [], leases: ['c'] });
    t.match(await s.admit(lease('d')), { ok: true, leases: [2] }, 'a released slot is free at once');
    await new Promise((r) => setTimeout(r, 250));
    t.match(await s.admit(lease('e')), { ok: true, leases: [2] }, "b's lease ended: its slot came back");
    await s.reconcile({ id: 'unknown', rates: [], leases: ['c', 'nothing'] });
  });

  t.test('a refused lease takes no rate units; a refused rate takes no lease', async (t) => {
    const s = await fresh(t);
    const both = (id: string, cost: number) => ({ id, leaseMs: 60_000, rates: [{ key: 'r', cost, limit: 5, periodMs: MIN }], leases: [{ key: 'c', limit: 1 }] });
    t.match(await s.admit(both('1', 1)), { ok: true, rates: [{ remaining: 4 }], leases: [1] });
    t.match(await s.admit(both('2', 1)), { ok: false, failed: { kind: 'lease' }, rates: [{ remaining: 4 }] });
    await s.reconcile({ id: '1', rates: [], leases: ['c'] });
    t.match(await s.admit(both('3', 9)), { ok: false, failed: { kind: 'rate' }, leases: [0] });
    t.match(await s.admit(both('4', 4)), { ok: true, rates: [{ remaining: 0 }], leases: [1] });
  });

  t.test('100 concurrent admissions against 20 per minute: exactly 20', async (t) => {
    const s = await fresh(t);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => s.admit(req(`c${i}`, 1, 20))));
    t.equal(results.filter((r) => r.ok).length, 20);
  });

  t.test('bad input is a TypeError', async (t) => {
    const s = await fresh(t);
    await t.rejects(async () => s.admit(req('x', 1.5, 10)), TypeError);
    await t.rejects(async () => s.admit(req('x', 1, 0)), TypeError);
    await t.rejects(async () => s.admit({ ...req('x', 1, 10), id: '' }), TypeError);
  });
}
