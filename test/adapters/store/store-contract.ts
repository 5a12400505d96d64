// One contract suite every Store implementation passes (hono's habit): values with TTL, counters, all-or-nothing
// reservations under concurrency, key prefixes, readiness and an idempotent close. Run by memory/ and redis/.
import type { Store } from '../../../core/index.js';
import type { TapTest } from '../../helpers/conformance.js';

/** Makes a fresh store whose keys start with `prefix`; the suite closes it. */
export type StoreFactory = (prefix: string) => Promise<Store>;

/** Polls `check` every 20 ms for at most `ms` (expiry is asserted as "gone within", never as an exact time). */
async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

let seq = 0;
export function runStoreContract(t: TapTest, make: StoreFactory): void {
  const fresh = async (tt: TapTest, prefix = `contract${++seq}:`): Promise<Store> => {
    const store = await make(prefix);
    tt.teardown(() => store.close());
    return store;
  };

  t.test('get, set, delete', async (t) => {
    const s = await fresh(t);
    t.equal(await s.get('k'), undefined, 'a missing key reads as undefined');
    await s.set('k', 'v1');
    t.equal(await s.get('k'), 'v1');
    await s.set('k', 'v2');
    t.equal(await s.get('k'), 'v2', 'set overwrites');
    t.equal(await s.delete('k'), true, 'delete says the key existed');
    t.equal(await s.delete('k'), false, 'and then that it did not');
    t.equal(await s.get('k'), undefined);
  });

  t.test('set with a TTL: readable at once, gone after it', async (t) => {
    const s = await fresh(t);
    await s.set('short', 'x', { ttlMs: 60 });
    await s.set('long', 'y', { ttlMs: 60_000 });
    t.equal(await s.get('short'), 'x');
    t.ok(await within(2000, async () => (await s.get('short')) === undefined), 'expired');
    t.equal(await s.get('long'), 'y', 'a longer TTL is still there');
  });

  t.test('incrBy: starts at 0, adds and subtracts, TTL set when the counter is created', async (t) => {
    const s = await fresh(t);
    t.equal(await s.incrBy('n', 5), 5);
    t.equal(await s.incrBy('n', -2), 3);
    t.equal(await s.get('n'), '3', 'a counter reads as its decimal string');
    t.equal(await s.incrBy('w', 1, { ttlMs: 60 }), 1);
    t.equal(await s.incrBy('w', 1, { ttlMs: 60 }), 2, 'the window keeps counting');
    t.ok(await within(2000, async () => (await s.get('w')) === undefined), 'the window ends with its TTL');
    t.equal(await s.incrBy('w', 1, { ttlMs: 60_000 }), 1, 'a new window starts at 0');
    await t.rejects(s.incrBy('n', 1.5), TypeError, 'amounts are integers');
  });

  t.test('reserve: all or nothing', async (t) => {
    const s = await fresh(t);
    await s.incrBy('b', 8);
    const ok = await s.reserve([{ key: 'a', amount: 3, limit: 10 }, { key: 'b', amount: 2, limit: 10 }]);
    t.same(ok, { ok: true, values: [3, 10] }, 'both grow; reaching the limit exactly is allowed');
    const no = await s.reserve([{ key: 'a', amount: 1, limit: 10 }, { key: 'b', amount: 1, limit: 10 }]);
    t.same(no, { ok: false, failed: 1, values: [3, 10] }, 'the second would exceed: the index and current values');
    t.equal(await s.get('a'), '3', 'and the first did not grow either');
    t.same(await s.reserve([]), { ok: true, values: [] });
    await t.rejects(s.reserve([{ key: 'a', amount: 0.5, limit: 1 }]), TypeError);
  });

  t.test('reserve with TTL and release by a negative incrBy', async (t) => {
    const s = await fresh(t);
    t.same(await s.reserve([{ key: 'r', amount: 4, limit: 5, ttlMs: 60 }]), { ok: true, values: [4] });
    t.equal(await s.incrBy('r', -4), 0, 'released');
    t.ok(await within(2000, async () => (await s.get('r')) === undefined), 'the TTL set by reserve ends the key');
  });

  t.test('100 concurrent reservations against a limit of 10: exactly 10 succeed', async (t) => {
    const s = await fresh(t);
    const results = await Promise.all(Array.from({ length: 100 }, () => s.reserve([{ key: 'c', amount: 1, limit: 10 }, { key: 'd', amount: 2, limit: 1000 }])));
    t.equal(results.filter((r) => r.ok).length, 10);
    t.equal(await s.get('c'), '10');
    t.equal(await s.get('d'), '20', 'the other counter moved only with the successful ones');
  });

  t.test('setIfAbsent: written once, then refused until the key expires', async (t) => {
    const s = await fresh(t);
    t.equal(await s.setIfAbsent('once', 'a', { ttlMs: 80 }), true);
    t.equal(await s.setIfAbsent('once', 'b'), false);
    t.equal(await s.get('once'), 'a', 'the first value stays');
    t.ok(await within(2000, async () => (await s.get('once')) === undefined), 'expired');
    t.equal(await s.setIfAbsent('once', 'c'), true, 'absent again: written');
  });

  const holdReq = (id: string, items: Array<{ key: string; amount: number; limit: number }>, leaseMs = 60_000) => ({ id, leaseMs, marker: `done:${id}`, items });
  const settleReq = (id: string, items: Array<{ key: string; amount: number }>) => ({ id, marker: `done:${id}`, markerTtlMs: 60_000, items });

  t.test('hold: counters must exist; settled + held + amount within every limit, all or nothing', async (t) => {
    const s = await fresh(t);
    t.same(await s.hold(holdReq('r0', [{ key: 'ka', amount: 1, limit: 10 }])), { ok: false, reason: 'missing', failed: 0 });
    await s.set('ka', '2');
    await s.set('kb', '0');
    t.same(await s.hold(holdReq('r1', [{ key: 'ka', amount: 5, limit: 10 }, { key: 'kb', amount: 5, limit: 100 }])), { ok: true, duplicate: false, settled: [2, 0], held: [5, 5] });
    t.same(await s.hold(holdReq('r1', [{ key: 'ka', amount: 5, limit: 10 }, { key: 'kb', amount: 5, limit: 100 }])), { ok: true, duplicate: true, settled: [2, 0], held: [5, 5] }, 'the same id again holds nothing more');
    t.same(await s.hold(holdReq('r2', [{ key: 'kb', amount: 1, limit: 100 }, { key: 'ka', amount: 4, limit: 10 }])), { ok: false, reason: 'limit', failed: 1, settled: [0, 2], held: [5, 5] });
    t.same(await s.hold(holdReq('r3', [{ key: 'ka', amount: 3, limit: 10 }])), { ok: true, duplicate: false, settled: [2], held: [8] }, 'the failed hold left nothing on kb or ka');
    await t.rejects(async () => s.hold(holdReq('r4', [{ key: 'ka', amount: 1.5, limit: 10 }])), TypeError, 'a synchronous store throws, an async one rejects: both reach an await as a rejection');
  });

  t.test('settle: replaces the hold with the actual amount once; a release is a settle of 0', async (t) => {
    const s = await fresh(t);
    await s.set('c', '0');
    await s.hold(holdReq('a', [{ key: 'c', amount: 6, limit: 10 }]));
    await s.hold(holdReq('b', [{ key: 'c', amount: 4, limit: 10 }]));
    t.same(await s.settle(settleReq('a', [{ key: 'c', amount: 7 }])), { applied: true, settled: [7] }, 'the actual may exceed the hold');
    t.same(await s.settle(settleReq('a', [{ key: 'c', amount: 7 }])), { applied: false }, 'a duplicate settle changes nothing');
    t.same(await s.hold(holdReq('a', [{ key: 'c', amount: 1, limit: 100 }])), { ok: false, reason: 'settled' }, 'a settled id cannot hold again');
    t.same(await s.settle(settleReq('b', [{ key: 'c', amount: 0 }])), { applied: true, settled: [7] }, 'released');
    t.match(await s.hold(holdReq('d', [{ key: 'c', amount: 3, limit: 10 }])), { ok: true, held: [3] }, 'only the new hold is held');
    t.same(await s.settle(settleReq('e', [{ key: 'gone', amount: 5 }])), { applied: true, settled: [-1] }, 'a missing counter is not created');
    t.equal(await s.get('gone'), undefined);
  });

  t.test('without a marker (an id never reused): the hold counts and is live-duplicate checked, every settle applies, no marker is left', async (t) => {
    const s = await fresh(t);
    await s.set('u', '0');
    const hold = (id: string, amount: number, leaseMs = 60_000) => s.hold({ id, leaseMs, items: [{ key: 'u', amount, limit: 10 }] });
    const settle = (id: string, amount: number) => s.settle({ id, items: [{ key: 'u', amount }] });
    t.same(await hold('n1', 6), { ok: true, duplicate: false, settled: [0], held: [6] });
    t.same(await hold('n1', 6), { ok: true, duplicate: true, settled: [0], held: [6] }, 'a live hold under the id is still a duplicate');
    t.same(await hold('n2', 5), { ok: false, reason: 'limit', failed: 0, settled: [0], held: [6] }, 'limits apply as with a marker');
    t.same(await settle('n1', 4), { applied: true, settled: [4] }, 'the hold is replaced by the actual amount');
    t.same(await hold('n2', 5), { ok: true, duplicate: false, settled: [4], held: [5] }, 'the settled hold no longer counts');
    t.same(await settle('n2', 0), { applied: true, settled: [4] }, 'a release');
    t.same(await hold('n1', 1), { ok: true, duplicate: false, settled: [4], held: [1] }, 'nothing remembers n1: the caller vouched it would not come again');
    t.same(await settle('n1', 1), { applied: true, settled: [5] });
    t.same(await settle('n9', 2), { applied: true, settled: [7] }, 'a settle with no hold still adds: there is no marker to say it was done');
    t.match(await hold('n3', 10, 100), { ok: false, reason: 'limit' });
    t.match(await hold('n4', 3, 100), { ok: true, held: [3] });
    t.ok(await within(2000, async () => (await hold('n5', 3)).ok && (await settle('n5', 0)).applied), 'the lease of an unmarked hold ends too');
    await t.rejects(async () => s.settle({ id: 'x', marker: '', items: [] }), TypeError, 'an empty marker is refused');
    await t.rejects(async () => s.settle({ id: 'x', marker: 'done:x', items: [] }), TypeError, 'a marker needs its markerTtlMs');
  });

  t.test('a hold stops counting when its lease ends (a crashed holder leaks nothing)', async (t) => {
    const s = await fresh(t);
    await s.set('l', '0');
    t.match(await s.hold(holdReq('x', [{ key: 'l', amount: 10, limit: 10 }], 100)), { ok: true });
    t.match(await s.hold(holdReq('y', [{ key: 'l', amount: 1, limit: 10 }])), { ok: false, reason: 'limit' });
    t.ok(await within(2000, async () => (await s.hold(holdReq('y', [{ key: 'l', amount: 1, limit: 10 }]))).ok), 'admitted once the lease ended');
    t.same(await s.settle(settleReq('x', [{ key: 'l', amount: 9 }])), { applied: true, settled: [9] }, 'a late settle still charges the actual');
  });

  t.test('100 concurrent holds against a limit of 10: exactly 10 succeed', async (t) => {
    const s = await fresh(t);
    await s.set('h', '0');
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => s.hold(holdReq(`c${i}`, [{ key: 'h', amount: 1, limit: 10 }]))));
    t.equal(results.filter((r) => r.ok).length, 10);
  });

  t.test('key prefixes keep stores apart', async (t) => {
    const a = await fresh(t, `pa${++seq}:`);
    const b = await fresh(t, `pb${seq}:`);
    await a.set('same', 'from-a');
    t.equal(await b.get('same'), undefined);
    await b.incrBy('same-n', 1);
    t.equal(await a.get('same-n'), undefined);
  });

  t.test('readiness and close', async (t) => {
    const s = await make(`close${++seq}:`);
    t.match(s.readiness(), { ready: true });
    t.type(s.kind, 'string');
    t.equal(s.callsRunOnce === true, s.kind === 'dgp.adapter.store.memory', 'only the in-process store (and the primary\'s, behind --workers) promises each call runs once');
    await s.close();
    await s.close();
    t.pass('close may be called twice');
  });
}
