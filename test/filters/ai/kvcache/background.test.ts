// Background cache work (Pixiu manageCache) is never on the request path, outlives a fast response or a client abort
// (Pixiu's ran on the request context, spec §8.3 item 26), ends at request_timeout or when the generation closes,
// and is capped by max_background_tasks.
import t from 'tap';
import { PreferredEndpointId } from '../../../../core/index.js';
import type { KvcacheConfig } from '../../../../filters/ai/kvcache/schema.js';
import type { TapTest } from '../../../helpers/conformance.js';
import { FakeLmcache } from '../../../helpers/fake-lmcache.js';
import { FakeVllm } from '../../../helpers/fake-vllm.js';
import { kvHarness } from './harness.js';

async function setup(t: TapTest, extra: KvcacheConfig = {}) {
  const [vllm, lmcache] = await Promise.all([FakeVllm.start(), FakeLmcache.start()]);
  t.teardown(async () => void (await Promise.all([vllm.close(), lmcache.close()])));
  const h = await kvHarness(t, {
    enabled: true,
    vllm_endpoint: vllm.origin,
    lmcache_endpoint: lmcache.origin,
    token_cache: { enabled: true },
    lookup_routing_timeout: '5s',
    request_timeout: '10s',
    cache_strategy: { enable_pinning: true, hot_content_threshold: 1, pin_instance_id: 'vllm-a', pin_location: 'LocalCPUBackend' },
    ...extra,
  });
  return { vllm, lmcache, h };
}

const body = (text: string) => ({ model: 'm', prompt: text });

t.test('a response that ends at once (even a client abort) does not cancel the background work', async (t) => {
  const { lmcache, h } = await setup(t);
  lmcache.behaviour = 'delay:150';
  const ctx = await h.decode(body('hot prompt'));
  ctx.abortClient();
  await h.complete(ctx);
  await h.filter.backgroundIdle();
  t.equal(lmcache.callsTo('/pin').length, 1, 'pinned after the request was over');
  t.same(lmcache.callsTo('/pin')[0]!.body, { tokens: [1, ...[...'hot prompt'].map((c) => c.codePointAt(0)!)], instance_id: 'vllm-a', location: 'LocalCPUBackend' });
  t.equal(await h.metric('dgp_kvcache_background_actions_total', { action: 'pin', outcome: 'ok' }), 1);
  t.equal(await h.metric('dgp_kvcache_background_actions_total', { action: 'tokenize', outcome: 'ok' }), 1);
  t.equal(await h.metric('dgp_kvcache_background_actions_total', { action: 'task', outcome: 'ok' }), 1);
});

t.test('closing the generation (FactoryContext.signal) cancels running background work', async (t) => {
  const { lmcache, h } = await setup(t, { request_timeout: '30s' });
  lmcache.behaviour = 'delay:20000';
  await h.decode(body('slow pin'));
  await lmcache.waitFor(() => lmcache.callsTo('/pin').length === 1, 5000, '/pin reached');
  h.fctx.controller.abort();
  await h.filter.backgroundIdle();
  t.equal(await h.metric('dgp_kvcache_background_actions_total', { action: 'pin', outcome: 'cancelled' }), 1);
  t.equal(await h.metric('dgp_kvcache_background_actions_total', { action: 'task', outcome: 'cancelled' }), 1);
  const after = await h.decode(body('after close'));
  t.equal(after.get(PreferredEndpointId), undefined);
  t.equal(await h.metric('dgp_kvcache_background_actions_total', { action: 'task', outcome: 'skipped' }), 1, 'a closed generation starts no new work');
});

t.test('request_timeout bounds a background task', async (t) => {
  const { vllm, h } = await setup(t, { request_timeout: '100ms' });
  vllm.behaviour = 'delay:20000';
  await h.decode(body('never tokenized'));
  await h.filter.backgroundIdle();
  t.equal(await h.metric('dgp_kvcache_background_actions_total', { action: 'tokenize', outcome: 'error' }), 1);
  t.equal(await h.metric('dgp_kvcache_background_actions_total', { action: 'task', outcome: 'error' }), 1);
});

t.test('max_background_tasks: tasks beyond the cap are skipped and counted', async (t) => {
  const { vllm, h } = await setup(t, { max_background_tasks: 1, cache_strategy: {} });
  vllm.behaviour = 'delay:200';
  for (const p of ['one', 'two', 'three']) await h.decode(body(p));
  await h.filter.backgroundIdle();
  t.equal(vllm.callsTo('/tokenize').length, 1);
  t.equal(await h.metric('dgp_kvcache_background_actions_total', { action: 'task', outcome: 'skipped' }), 2);
});

t.test('nothing to do, nothing scheduled: cached tokens and no strategy action', async (t) => {
  const { vllm, lmcache, h } = await setup(t, { cache_strategy: {} });
  await h.decode(body('once'));
  await h.filter.backgroundIdle();
  await h.decode(body('once'));
  await h.filter.backgroundIdle();
  t.equal(vllm.callsTo('/tokenize').length, 1);
  t.equal(lmcache.callsTo('/pin').length + lmcache.callsTo('/compress').length + lmcache.callsTo('/evict').length, 0);
  t.equal(await h.metric('dgp_kvcache_background_actions_total', { action: 'task' }), 1);
});
