// Cooldown and the preferred endpoint, as Pixiu's strategy-level tests assert them (spec §6.1), over real sockets.
import t from 'tap';
import { ClusterManager, CooldownStore } from '../../../../core/cluster/index.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { closedPort, clusterSpec, proxyHarness, uniqueCluster } from './helpers/setup.js';

t.test('cooldown skips a failed endpoint and expires after health_check_interval', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start({ behaviour: 'status:503' }), FakeUpstream.start()]);
  const h = await proxyHarness([{ id: 'a', to: a, llm: { fallback: true, health_check_interval: 300 } }, { id: 'b', to: b }]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  t.equal((await h.run({}, 'a')).response.headers['x-dgp-attempts'], 'a=503;b=200');
  const skipped = await h.run({}, 'a');
  t.equal(skipped.response.headers['x-dgp-attempts'], 'b=200', 'a is cooled down: skipped without an attempt');
  t.equal(a.requests.length, 1);
  await new Promise((r) => setTimeout(r, 350));
  a.behaviour = 'json';
  t.equal((await h.run({}, 'a')).response.headers['x-dgp-attempts'], 'a=200', 'the cooldown expired');
});

t.test('a cooled-down endpoint with fallback: false ends the chain (Pixiu)', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start({ behaviour: 'status:503' }), FakeUpstream.start()]);
  const h = await proxyHarness([{ id: 'a', to: a, llm: { fallback: false } }, { id: 'b', to: b }]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  await h.run({}, 'a');
  const ctx = await h.run({}, 'a');
  t.equal(ctx.response.status, 503);
  t.match(ctx.errors[0]?.message, /all retries and fallbacks failed without a definitive error or response/);
  t.equal(b.requests.length, 0);
});

t.test('the preferred endpoint is honoured, and ignored when unhealthy (TestStrategyExecuteIgnoresUnhealthyPreferredEndpoint)', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start(), FakeUpstream.start()]);
  const h = await proxyHarness([{ id: 'a', to: a }, { id: 'b', to: b, unhealthy: true }, { id: 'c', to: b }]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const pref = await h.run({}, 'c');
  t.equal(pref.response.headers['x-dgp-attempts'], 'c=200');
  h.clusters.setHealthy(h.cluster, 'c', false);
  const ctx = await h.run({}, 'b');
  t.equal(ctx.response.status, 200);
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=200', 'the healthy LB pick serves it');
});

t.test('TestFilterFactoriesShareRuntimeCooldownStore: a failure seen through one generation cools the endpoint in the next', async (t) => {
  const dead = await closedPort();
  const up = await FakeUpstream.start();
  const cluster = uniqueCluster('shared');
  const spec = clusterSpec(cluster, [{ id: 'a', to: dead, llm: { fallback: true } }, { id: 'b', to: up }]);
  const cooldowns = new CooldownStore(); // the host's cooldown service, handed to every generation's manager
  const gen1 = await proxyHarness([], {}, { clusters: ClusterManager.fromConfig([spec], { cooldowns }), cluster });
  const gen2 = await proxyHarness([], {}, { clusters: ClusterManager.fromConfig([spec], { cooldowns }), cluster });
  t.teardown(async () => (await gen1.close(), await gen2.close(), await up.close()));
  t.equal(gen1.clusters.cooldowns, gen2.clusters.cooldowns, 'one process-wide store');
  t.equal((await gen1.run({}, 'a')).response.headers['x-dgp-attempts'], 'a=connect_error;b=200');
  t.equal((await gen2.run({}, 'a')).response.headers['x-dgp-attempts'], 'b=200', 'gen2 skips a');
});

t.test('TestStrategyExecuteUsesRuntimeCooldownStateWithoutMutatingEndpointMetadata: 16×50 concurrent failures', async (t) => {
  const [p1, p2] = await Promise.all([closedPort(), closedPort()]);
  const h = await proxyHarness([
    { id: 'a', to: p1, llm: { fallback: true } },
    { id: 'b', to: p2, llm: { fallback: true } },
  ]);
  t.teardown(() => h.close());
  for (let round = 0; round < 16; round++) {
    const ctxs = await Promise.all(Array.from({ length: 50 }, () => h.run()));
    for (const c of ctxs) if (c.response.status !== 503) t.fail(`status ${c.response.status}`);
  }
  for (const id of ['a', 'b']) {
    const ep = h.clusters.getEndpoint(h.cluster, id)!;
    t.same(ep.meta, { static: 'value' }, `${id} metadata untouched`);
    t.ok(h.clusters.cooldowns.inCooldown(h.cluster, ep), `${id} has a cooldown entry`);
  }
});
