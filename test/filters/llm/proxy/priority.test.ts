// Endpoint priority groups (llm_meta.priority, APISIX semantics) and the load-aware LB policies, over real sockets:
// a lower group serves only while every endpoint of the higher one is unhealthy or cooling down, and the fallback
// walk goes through the pick's group before the lower ones; LeastRequest avoids the busy endpoint, LatencyEwma the
// slow one.
import t from 'tap';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { proxyHarness } from './helpers/setup.js';

const attempts = (ctx: { response: { headers: Record<string, unknown> } }): string => String(ctx.response.headers['x-dgp-attempts']);

/** One whole request: decode, then onComplete, which ends the attempt's in-flight count and records its latency. */
async function complete(h: Awaited<ReturnType<typeof proxyHarness>>, preferred?: string) {
  const ctx = await h.run({}, preferred);
  h.filter.onComplete(ctx);
  return ctx;
}

t.test('the lower priority group is used only when the higher one is out', async (t) => {
  const [hi1, hi2, lo] = await Promise.all([FakeUpstream.start(), FakeUpstream.start(), FakeUpstream.start()]);
  t.teardown(() => Promise.all([hi1.close(), hi2.close(), lo.close()]));
  const h = await proxyHarness(
    [
      { id: 'lo', to: lo, llm: { priority: 0, fallback: true } },
      { id: 'hi1', to: hi1, llm: { priority: 1, fallback: true, health_check_interval: 60_000 } },
      { id: 'hi2', to: hi2, llm: { priority: 1, fallback: true, health_check_interval: 60_000 } },
    ],
    { route_header: true },
  );
  t.teardown(() => h.close());
  const seen = new Set<unknown>();
  for (let i = 0; i < 4; i++) seen.add(attempts(await h.run()));
  t.same([...seen].sort(), ['hi1=200', 'hi2=200'], 'round robin within the top group; the first-listed low endpoint gets nothing');
  t.equal(lo.requests.length, 0);

  h.clusters.setHealthy(h.cluster, 'hi1', false);
  t.equal(attempts(await h.run()), 'hi2=200', 'one of the group left: it serves');
  h.clusters.cooldowns.markFailure(h.cluster, h.clusters.getEndpoint(h.cluster, 'hi2')!);
  const down = await h.run();
  t.equal(attempts(down), 'lo=200', 'the whole top group is out (unhealthy, cooling): the lower group serves');
  t.match(down.response.headers['x-dgp-route'], /hi1\(unhealthy\)/);

  h.clusters.setHealthy(h.cluster, 'hi1', true);
  t.equal(attempts(await h.run()), 'hi1=200', 'back as soon as one top endpoint is');
});

t.test('the fallback walk tries the rest of the pick group before a lower group', async (t) => {
  const [a, b, lo] = await Promise.all([FakeUpstream.start({ behaviour: 'status:503' }), FakeUpstream.start(), FakeUpstream.start()]);
  t.teardown(() => Promise.all([a.close(), b.close(), lo.close()]));
  const h = await proxyHarness([
    { id: 'lo', to: lo, llm: { priority: 0, fallback: true, health_check_interval: 0 } },
    { id: 'a', to: a, llm: { priority: 5, fallback: true, health_check_interval: 0 } },
    { id: 'b', to: b, llm: { priority: 5, fallback: true, health_check_interval: 0 } },
  ]);
  t.teardown(() => h.close());
  const walks = new Set<unknown>();
  for (let i = 0; i < 4; i++) walks.add(attempts(await h.run()));
  t.same([...walks].sort(), ['a=503;b=200', 'b=200'], 'a failing top endpoint falls back within its group');
  b.behaviour = 'status:503';
  t.equal(attempts(await h.run()).endsWith(';lo=200'), true, 'both top endpoints fail: then the lower group');
});

t.test('LeastRequest avoids the endpoint with requests in flight; LatencyEwma the slow one', async (t) => {
  const [slow, fast] = await Promise.all([FakeUpstream.start({ behaviour: 'stall-headers:150' }), FakeUpstream.start()]);
  t.teardown(() => Promise.all([slow.close(), fast.close()]));
  const least = await proxyHarness([{ id: 'slow', to: slow }, { id: 'fast', to: fast }], {}, { lb: 'LeastRequest' });
  t.teardown(() => least.close());
  const busy = least.start({}, 'slow');
  await new Promise((r) => setTimeout(r, 30));
  for (let i = 0; i < 3; i++) t.equal(attempts(await complete(least)), 'fast=200', 'slow has a request in flight');
  await busy.done;

  const ewma = await proxyHarness([{ id: 'slow', to: slow }, { id: 'fast', to: fast }], {}, { lb: 'LatencyEwma' });
  t.teardown(() => ewma.close());
  await complete(ewma, 'slow');
  await complete(ewma, 'fast');
  for (let i = 0; i < 3; i++) t.equal(attempts(await complete(ewma)), 'fast=200', 'the lower moving latency wins');
});

t.test('model group strategy: cost tries the cheapest priced deployment first, unpriced ones last', async (t) => {
  const [a, b, c] = await Promise.all([FakeUpstream.start(), FakeUpstream.start(), FakeUpstream.start()]);
  t.teardown(() => Promise.all([a.close(), b.close(), c.close()]));
  const h = await proxyHarness(
    [
      { id: 'local', to: c },
      { id: 'big', to: a },
      { id: 'small', to: b },
    ],
    {
      route_header: true,
      model_list: [
        {
          model_name: 'chat',
          strategy: 'cost',
          deployments: [
            { endpoint: 'local', model: 'my-own-unpriced-model' },
            { endpoint: 'big', model: 'gpt-4o' },
            { endpoint: 'small', model: 'gpt-4o-mini' },
          ],
        },
      ],
    },
  );
  t.teardown(() => h.close());
  const run = () => h.run({ body: { model: 'chat', messages: [{ role: 'user', content: 'hi' }] } });
  const first = await run();
  t.equal(attempts(first), 'small=200', 'gpt-4o-mini is the cheapest');
  t.match(first.response.headers['x-dgp-route'], /\/small\(picked\);pick=cost:0\.75usd$/, 'the pick reason: the cheapest, at $0.15 + $0.60 per million tokens');
  h.clusters.cooldowns.markFailure(h.cluster, h.clusters.getEndpoint(h.cluster, 'small')!);
  const next = await run();
  t.equal(attempts(next), 'big=200', 'then gpt-4o');
  t.match(next.response.headers['x-dgp-route'], /group=chat;candidates=[^;]*\/small\(cooling\),[^;]*\/big\(picked\);pick=fallback:cost:12\.5usd$/, 'the pick reason: the next cheapest, with its price');
  h.clusters.cooldowns.markFailure(h.cluster, h.clusters.getEndpoint(h.cluster, 'big')!);
  t.equal(attempts(await run()), 'local=200', 'the unpriced model last');
});

t.test('CostAware: the cheapest endpoint for the requested model by the price book; unpriced last; fallback by price', async (t) => {
  const [big, small, own] = await Promise.all([FakeUpstream.start(), FakeUpstream.start(), FakeUpstream.start()]);
  t.teardown(() => Promise.all([big.close(), small.close(), own.close()]));
  const h = await proxyHarness(
    [
      { id: 'own', to: own, llm: { fallback: true, health_check_interval: 0, model_map: { chat: 'my-own-unpriced-model' } } },
      { id: 'big', to: big, llm: { fallback: true, health_check_interval: 0, model_map: { chat: 'gpt-4o' } } },
      { id: 'small', to: small, llm: { fallback: true, health_check_interval: 60_000, model_map: { chat: 'gpt-4o-mini' } } },
    ],
    { route_header: true },
    { lb: 'CostAware' },
  );
  t.teardown(() => h.close());
  const run = (model = 'chat') => h.run({ body: { model, messages: [{ role: 'user', content: 'hi' }] } });
  for (let i = 0; i < 3; i++) {
    const r = await run();
    t.equal(attempts(r), 'small=200', 'gpt-4o-mini (through model_map) is the cheapest, whatever the rotation');
    t.match(r.response.headers['x-dgp-route'], /candidates=[^;]*\/small\(picked\);pick=CostAware:0\.75usd$/, 'the pick reason names the policy and the price');
  }

  small.behaviour = 'status:503';
  const fell = await run();
  t.equal(attempts(fell), 'small=503;big=200', 'the failing cheapest one falls back to the next cheapest, not the next listed');
  t.match(fell.response.headers['x-dgp-route'], /small\(failed:503\),[^;]*\/big\(picked\);pick=fallback:CostAware:12\.5usd$/);
  small.behaviour = 'json';
  h.clusters.cooldowns.markFailure(h.cluster, h.clusters.getEndpoint(h.cluster, 'small')!);
  const cooled = await run();
  t.equal(attempts(cooled), 'big=200', 'the cheapest is cooling down: the next cheapest serves');
  t.match(cooled.response.headers['x-dgp-route'], /small\(cooling\),[^;]*\/big\(picked\);pick=fallback:CostAware:12\.5usd$/);

  // A model no endpoint prices: every endpoint is unpriced, they rotate as round robin does.
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add(attempts(await run('no-such-model')));
  t.ok(seen.size >= 2, `unpriced endpoints share the load (${[...seen].join(' ')})`);
});
