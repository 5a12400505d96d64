// Ports every store-level assertion of Pixiu's proxy filter_test.go (spec §6.1) plus the §3.2.6 rules.
import t from 'tap';
import { ClusterManager } from '../../../core/cluster/cluster-manager.js';
import {
  COOLDOWN_CAPACITY,
  COOLDOWN_SWEEP_THRESHOLD,
  CooldownStore,
  HEALTHY_CHECK_TIME_KEY,
  LLM_UNHEALTHY_KEY,
} from '../../../core/cluster/cooldown-store.js';
import { contentFromSpec, makeView } from '../../../core/cluster/endpoint-entry.js';
import type { EndpointView, LlmMeta } from '../../../core/cluster-api.js';
import { cluster, ep, llm } from './fixtures.js';

/** Pixiu's testLLMEndpoint(id, port): metadata {"static":"value"}, NoRetry, fallback, interval 60 s. */
function testLLMEndpoint(id: string, port: number, meta: Partial<LlmMeta> = {}, name = ''): EndpointView {
  const content = contentFromSpec(ep({ id, port, meta: { static: 'value' }, llm_meta: llm({ health_check_interval: 60000, ...meta }) }));
  return makeView(content, { id, name, healthy: true, source: 'static' });
}

const T0 = 1_700_000_000_000;

t.test('TestFilterFactoriesShareRuntimeCooldownStore', async (t) => {
  const a = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', [ep({ id: 'e1', llm_meta: llm() })])]);
  const b = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', [ep({ id: 'e1', llm_meta: llm() })])], { previous: a });
  t.equal(b.cooldowns, a.cooldowns, 'the next generation keeps the store');
  a.cooldowns.markFailure('llm', a.getEndpoint('llm', 'e1')!, T0);
  // A different (but identical) view from another generation maps to the same key.
  t.equal(b.cooldowns.inCooldown('llm', b.getEndpoint('llm', 'e1')!, T0 + 10), true);
});

t.test('TestStrategyExecuteUsesRuntimeCooldownStateWithoutMutatingEndpointMetadata', async (t) => {
  const store = new CooldownStore();
  const eps = [testLLMEndpoint('a', 18081), testLLMEndpoint('b', 18082)];
  for (let i = 0; i < 16 * 50; i++) store.markFailure('llm', eps[i % 2], T0 + i);
  for (const e of eps) {
    t.same(e.meta, { static: 'value' });
    t.ok(store.entry('llm', e), `entry for ${e.id}`);
  }
  t.equal(store.size, 2);
});

t.test('TestRequestExecutorEndpointInCooldownClearsExpiredCooldownFromProxyStore', async (t) => {
  const store = new CooldownStore();
  const e = testLLMEndpoint('a', 18081);
  store.markFailure('llm', e, T0 - 3_600_000);
  t.equal(store.inCooldown('llm', e, T0), false);
  t.equal(store.entry('llm', e), undefined);
  t.equal(store.size, 0);
});

t.test('TestRequestExecutorMarkEndpointCooldownStoresCooldownInProxyStore', async (t) => {
  const store = new CooldownStore();
  const e = testLLMEndpoint('a', 18081);
  store.markFailure('llm', e);
  const entry = store.entry('llm', e);
  t.ok(entry && entry.lastFailure > 0, 'non-zero failure time');
  t.equal(entry?.ttl, 60000);
  t.equal(store.inCooldown('llm', e), true);
});

t.test('TestRequestExecutorCooldownIsIsolatedByEndpointAddress', async (t) => {
  const store = new CooldownStore();
  store.markFailure('llm', testLLMEndpoint('a', 18081), T0);
  t.equal(store.inCooldown('llm', testLLMEndpoint('a', 18082), T0 + 1), false);
  t.equal(store.inCooldown('llm', testLLMEndpoint('a', 18081), T0 + 1), true);
});

t.test('TestRequestExecutorCooldownIsIsolatedByEndpointCredential', async (t) => {
  const store = new CooldownStore();
  store.markFailure('llm', testLLMEndpoint('a', 18081, { api_key: 'key-1' }), T0);
  t.equal(store.inCooldown('llm', testLLMEndpoint('a', 18081, { api_key: 'key-2' }), T0 + 1), false);
  t.equal(store.inCooldown('llm', testLLMEndpoint('a', 18081, {}), T0 + 1), false, 'empty key is its own credential');
  t.equal(store.inCooldown('llm', testLLMEndpoint('a', 18081, { api_key: 'key-1' }), T0 + 1), true);
});

t.test('the cluster is part of the key', async (t) => {
  const store = new CooldownStore();
  store.markFailure('llm-a', testLLMEndpoint('a', 18081), T0);
  t.equal(store.inCooldown('llm-b', testLLMEndpoint('a', 18081), T0 + 1), false);
});

t.test('TestRequestExecutorCooldownSurvivesNonIdentityLLMConfigChanges and TestCooldownStoreLazySweepKeepsEntryAfterEndpointIntervalExtends', async (t) => {
  const store = new CooldownStore();
  store.markFailure('llm', testLLMEndpoint('a', 18081, { health_check_interval: 10 }), T0);
  const replaced = makeView(
    contentFromSpec(
      ep({
        id: 'a',
        port: 18081,
        meta: { static: 'changed', extra: '1' },
        llm_meta: llm({ health_check_interval: 60000, retry_policy: { name: 'CountBased', config: { times: 3 } } }),
      }),
    ),
    { id: 'a', name: 'renamed', healthy: true, source: 'static' },
  );
  t.equal(store.inCooldown('llm', replaced, T0 + 50), true, 'the TTL follows the current interval');
  t.equal(store.entry('llm', replaced)?.ttl, 60000);
  // A sweep (≥ 1 s since the last) triggered by an unrelated key keeps the refreshed entry.
  t.equal(store.inCooldown('llm', testLLMEndpoint('other', 19000), T0 + 50 + 1500), false);
  t.ok(store.entry('llm', replaced), 'entry kept by the sweep');
  t.equal(store.inCooldown('llm', replaced, T0 + 1600), true);
});

t.test('TestLegacyEndpointHealthMetadataKeysRemainExported', async (t) => {
  t.equal(LLM_UNHEALTHY_KEY, 'LLMUnhealthy');
  t.equal(HEALTHY_CHECK_TIME_KEY, 'HealthyCheckTime');
});

t.test('TestCooldownStoreLazySweepRemovesExpiredChurnedEndpointEntry', async (t) => {
  const store = new CooldownStore();
  const old = testLLMEndpoint('a', 18081, { health_check_interval: 10 });
  store.markFailure('llm', old, T0);
  // Within 1 s of the first sweep nothing sweeps, so the expired entry is still held...
  t.equal(store.inCooldown('llm', testLLMEndpoint('a', 18099), T0 + 500), false);
  t.ok(store.entry('llm', old));
  // ...and > 1 s later an unrelated key's lookup removes it.
  t.equal(store.inCooldown('llm', testLLMEndpoint('a', 18099), T0 + 1500), false);
  t.equal(store.entry('llm', old), undefined);
  t.equal(store.size, 0);
});

t.test('TestCooldownStoreLazySweepRemovesExpiredEndpointFromDifferentCluster', async (t) => {
  const store = new CooldownStore();
  const e = testLLMEndpoint('a', 18081, { health_check_interval: 10 });
  store.markFailure('cluster-a', e, T0);
  store.markFailure('cluster-b', testLLMEndpoint('b', 18082), T0 + 2000);
  t.equal(store.entry('cluster-a', e), undefined, 'swept from another cluster');
  t.equal(store.size, 1);
});

t.test('TestCooldownStoreEvictsOldestEntryWhenCapacityExceeded', async (t) => {
  const store = new CooldownStore();
  const views = Array.from({ length: COOLDOWN_CAPACITY + 1 }, (_, i) => testLLMEndpoint(`ep-${i}`, 20000 + i));
  for (let i = 0; i < COOLDOWN_CAPACITY; i++) store.markFailure('llm', views[i], T0 + i);
  t.equal(store.size, COOLDOWN_CAPACITY);
  store.markFailure('llm', views[COOLDOWN_CAPACITY], T0 + COOLDOWN_CAPACITY);
  t.equal(store.size, COOLDOWN_CAPACITY);
  t.equal(store.entry('llm', views[0]), undefined, 'the oldest is evicted');
  t.ok(store.entry('llm', views[1]));
  t.ok(store.entry('llm', views[COOLDOWN_CAPACITY]));
  // Marking an existing key at capacity evicts nothing.
  store.markFailure('llm', views[5], T0 + 2000);
  t.equal(store.size, COOLDOWN_CAPACITY);
  t.ok(store.entry('llm', views[1]));
});

t.test('at or above the sweep threshold every call sweeps', async (t) => {
  t.equal(COOLDOWN_SWEEP_THRESHOLD, 921);
  const store = new CooldownStore();
  for (let i = 0; i < COOLDOWN_SWEEP_THRESHOLD; i++) store.markFailure('llm', testLLMEndpoint(`s-${i}`, 21000 + i, { health_check_interval: 100 }), T0);
  // 200 ms later (well within 1 s of the last sweep) the size alone triggers a sweep that drops every expired entry.
  t.equal(store.inCooldown('llm', testLLMEndpoint('x', 1), T0 + 200), false);
  t.equal(store.size, 0);
});

t.test('ttl 0 (no llm_meta, or interval ≤ 0) is never in cooldown', async (t) => {
  const store = new CooldownStore();
  const plain = makeView(contentFromSpec(ep({ id: 'p' })), { id: 'p', name: 'p', healthy: true, source: 'static' });
  store.markFailure('llm', plain, T0);
  t.equal(store.inCooldown('llm', plain, T0), false);
  const zero = testLLMEndpoint('z', 1, { health_check_interval: 0 });
  store.markFailure('llm', zero, T0);
  t.equal(store.inCooldown('llm', zero, T0), false);
  t.equal(store.size, 0, 'expired entries are deleted on lookup');
});

t.test('cooldown ends exactly at lastFailure + interval', async (t) => {
  const store = new CooldownStore();
  const e = testLLMEndpoint('a', 1, { health_check_interval: 5000 });
  store.markFailure('llm', e, T0);
  t.equal(store.inCooldown('llm', e, T0 + 4999), true);
  t.equal(store.inCooldown('llm', e, T0 + 5000), false);
});
