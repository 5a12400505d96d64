// One budget-engine suite run against every store (memory and a real Redis): the admission is exact under
// concurrency, all-or-nothing across budgets, idempotent per request id, rolls over with the window, leaks no hold
// of a crashed holder, and fires a soft alert once per window however many instances share the store.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../../../../../core/index.js';
import { applicableBudgets, type Budget } from '../../../../../filters/llm/keys/budget/budgets.js';
import { BudgetEngine, type BudgetEngineOptions } from '../../../../../filters/llm/keys/budget/engine.js';
import type { TapTest } from '../../../../helpers/conformance.js';

/** Makes a store over shared state: each call is another connection (Redis) or the same map (memory). */
export type SharedStoreFactory = () => Promise<Store>;

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 0, 15, 12);
export const USD = 1_000_000_000;

export const keyBudget = (id: string, limit: number, over: Partial<Budget> = {}): Budget =>
  ({ id: `key:${id}`, scope: 'key', subject: id, limit_nanos: limit, duration: '1d', soft_nanos: null, ...over });

let seq = 0;
export function runEngineSuite(t: TapTest, connect: SharedStoreFactory): void {
  const engines = async (tt: TapTest, n: number, opts: Partial<BudgetEngineOptions> = {}): Promise<BudgetEngine[]> => {
    const keyPrefix = `{b${++seq}-${process.pid}}:`;
    return Promise.all(Array.from({ length: n }, async () => {
      const store = await connect();
      tt.teardown(() => store.close());
      return new BudgetEngine({ store, keyPrefix, ...opts });
    }));
  };

  t.test('50 concurrent reservations against a budget that fits 10 admit exactly 10; spend = sum of actuals', async (t) => {
    const [e] = await engines(t, 1);
    const budget = keyBudget('k50', 10 * USD);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => e!.reserve([budget], USD, `r50-${i}`, NOW)));
    const admitted = results.flatMap((r) => (r.ok ? [r.hold] : []));
    t.equal(admitted.length, 10, 'exactly 10 admitted');
    const denied = results.find((r) => !r.ok);
    t.match(denied, { ok: false, reason: 'budget_exceeded', denial: { limit_nanos: 10 * USD, spent_nanos: 0, held_nanos: 10 * USD, requested_nanos: USD, reset_at: NOW + 12 * 3_600_000 } });
    const actuals = admitted.map((_, i) => USD - (i + 1) * 1_000_000);
    await Promise.all(admitted.map((h, i) => e!.settle(h, actuals[i]!)));
    t.equal(await e!.spent(budget, NOW), actuals.reduce((a, b) => a + b, 0), 'the settled spend is the sum of the actual costs');
  });

  t.test('a request that passes the key budget but not the team budget holds nothing anywhere', async (t) => {
    const [e] = await engines(t, 1);
    const budgets = applicableBudgets({
      model: 'gpt-4o',
      key: { id: 'kt', max_budget_nanos: 10 * USD, budget_duration: '1d', model_budgets: { 'gpt-4o': { max_budget_nanos: 8 * USD, budget_duration: '1mo' } } },
      team: { id: 'ta', max_budget_nanos: 3 * USD, budget_duration: '7d' },
    });
    t.same(budgets.map((b) => b.id), ['key:kt', 'key:kt:model:gpt-4o', 'team:ta']);
    const r = await e!.reserve(budgets, 4 * USD, 'rt-1', NOW, { fallback_model: 'gpt-4o-mini' });
    t.match(r, { ok: false, reason: 'budget_exceeded', fallback_model: 'gpt-4o-mini', denial: { budget: { id: 'team:ta' }, held_nanos: 0 } });
    const keyOnly = await e!.reserve(budgets.slice(0, 2), 8 * USD, 'rt-2', NOW);
    t.ok(keyOnly.ok, 'the whole key and model budget is still free: the refused request held nothing there');
  });

  t.test('settle and release are idempotent per request id', async (t) => {
    const [e] = await engines(t, 1);
    const budget = keyBudget('ki', 10 * USD);
    const a = await e!.reserve([budget], 4 * USD, 'ri-a', NOW);
    const again = await e!.reserve([budget], 4 * USD, 'ri-a', NOW);
    t.match(again, { ok: true, duplicate: true }, 'a retried reservation holds once');
    if (!a.ok) return t.fail('not admitted');
    t.same(await e!.settle(a.hold, 3 * USD), { ok: true, applied: true });
    t.same(await e!.settle(a.hold, 3 * USD), { ok: true, applied: false }, 'a duplicate settle is ignored');
    t.same(await e!.release(a.hold), { ok: true, applied: false }, 'so is a release after the settle');
    t.equal(await e!.spent(budget, NOW), 3 * USD);
    t.same(await e!.reserve([budget], USD, 'ri-a', NOW), { ok: false, reason: 'duplicate_request' }, 'a settled id cannot run again unbudgeted');
    const b = await e!.reserve([budget], 7 * USD, 'ri-b', NOW);
    if (!b.ok) return t.fail('the hold of ri-a was not counted twice: 7 more fit');
    t.same(await e!.release(b.hold), { ok: true, applied: true });
    t.same(await e!.release(b.hold), { ok: true, applied: false });
    t.equal(await e!.spent(budget, NOW), 3 * USD, 'a release charges nothing');
    t.ok((await e!.reserve([budget], 7 * USD, 'ri-c', NOW)).ok, 'and frees the hold');
  });

  t.test('a fresh id (idMayRepeat false) goes without a done marker only where every store call runs once', async (t) => {
    const store = await connect();
    t.teardown(() => store.close());
    const e = new BudgetEngine({ store, keyPrefix: `{b${++seq}-${process.pid}}:` });
    const runsOnce = store.callsRunOnce === true;
    const markers = (): unknown => store.readiness().markers;
    const before = markers();
    const budget = keyBudget('kf', 10 * USD);
    const a = await e.reserve([budget], 4 * USD, 'rf-a', NOW, {}, false);
    if (!a.ok) return t.fail('not admitted');
    t.equal(a.hold.marker === undefined, runsOnce, runsOnce ? 'in process: no marker' : 'a networked store keeps the marker');
    t.match(await e.reserve([budget], 7 * USD, 'rf-b', NOW, {}, false), { ok: false, reason: 'budget_exceeded' }, 'the unmarked hold counts');
    t.same(await e.settle(a.hold, 3 * USD), { ok: true, applied: true });
    t.equal(await e.spent(budget, NOW), 3 * USD, 'the actual is charged once');
    t.ok((await e.reserve([budget], 7 * USD, 'rf-c', NOW, {}, false)).ok, 'the hold was replaced by the actual');
    if (runsOnce) t.equal(markers(), before, 'no settled-request marker was written');
    else t.same(await e.settle(a.hold, 3 * USD), { ok: true, applied: false }, 'a resent settle changes nothing');
  });

  t.test('windows roll over by themselves; lifetime budgets never do', async (t) => {
    const [e] = await engines(t, 1);
    const daily = keyBudget('kw', 2 * USD);
    const life = keyBudget('kl', 3 * USD, { duration: null });
    const first = await e!.reserve([daily, life], 2 * USD, 'rw-1', NOW);
    if (!first.ok) return t.fail('not admitted');
    await e!.settle(first.hold, 2 * USD);
    t.match(await e!.reserve([daily], USD, 'rw-2', NOW + 11 * 3_600_000), { ok: false, denial: { spent_nanos: 2 * USD } }, 'the same day is full');
    t.ok((await e!.reserve([daily], 2 * USD, 'rw-3', NOW + 12 * 3_600_000)).ok, 'at 00:00 UTC the next window starts empty');
    t.match(await e!.reserve([life], 2 * USD, 'rw-4', NOW + 40 * DAY), { ok: false, denial: { spent_nanos: 2 * USD, reset_at: null } }, 'a lifetime budget keeps its spend');
  });

  t.test('an exhausted budget does not block a free model (estimate 0), unless zeroCostExempt is off', async (t) => {
    const [e] = await engines(t, 1);
    const [strict] = await engines(t, 1, { zeroCostExempt: false });
    const budget = keyBudget('kz', USD);
    for (const eng of [e!, strict!]) {
      const r = await eng.reserve([budget], USD, `rz-${eng === e ? 'a' : 'b'}`, NOW);
      if (r.ok) await eng.settle(r.hold, 2 * USD);
    }
    t.match(await e!.reserve([budget], 0, 'rz-free', NOW), { ok: true, hold: { counters: [] } });
    t.match(await strict!.reserve([budget], 0, 'rz-strict', NOW), { ok: false, reason: 'budget_exceeded', denial: { spent_nanos: 2 * USD } }, 'spend past the limit blocks even a free request');
  });

  t.test("a crashed holder's hold stops counting when its lease ends", async (t) => {
    const [crashed, survivor] = await engines(t, 2, { leaseMs: 150 });
    const budget = keyBudget('kc', 5 * USD);
    t.ok((await crashed!.reserve([budget], 5 * USD, 'rc-1', NOW)).ok, 'held, never settled');
    t.match(await survivor!.reserve([budget], USD, 'rc-2', NOW), { ok: false, denial: { held_nanos: 5 * USD } });
    let admitted = false;
    for (let i = 0; i < 100 && !admitted; i++) {
      await new Promise((r) => setTimeout(r, 20));
      admitted = (await survivor!.reserve([budget], 5 * USD, 'rc-3', NOW)).ok;
    }
    t.ok(admitted, 'admitted once the lease ended');
  });

  t.test('a soft budget alerts once per window across 3 instances (log, counter, webhook)', async (t) => {
    const posts: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => void (posts.push(JSON.parse(body)), res.end()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.teardown(() => new Promise<void>((r) => server.close(() => r())));
    let counted = 0;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
    const es = await engines(t, 3, { softAlerts: { webhookUrl: url, counter: { add: () => void counted++ } } });
    const budget = keyBudget('ks', 100 * USD, { soft_nanos: 5 * USD });
    const run = async (now: number, tag: string): Promise<void> => {
      await Promise.all(Array.from({ length: 12 }, async (_, i) => {
        const e = es[i % 3]!;
        const r = await e.reserve([budget], USD, `rs-${tag}-${i}`, now);
        if (r.ok) await e.settle(r.hold, USD);
      }));
    };
    await run(NOW, 'd1');
    await Promise.all(es.flatMap((e) => [...e.alerts.pending]));
    t.equal(es.reduce((n, e) => n + e.alerts.fired, 0), 1, 'one alert among the 3 instances');
    t.equal(counted, 1, 'the counter moved once');
    t.match(posts, [{ type: 'dgp.budget.soft_limit_reached', budget: 'key:ks', soft_budget_nanos: 5 * USD, window_start: '2026-01-15T00:00:00.000Z' }]);
    await run(NOW + DAY, 'd2');
    await Promise.all(es.flatMap((e) => [...e.alerts.pending]));
    t.equal(es.reduce((n, e) => n + e.alerts.fired, 0), 2, 'the next window alerts again, once');
  });
}
