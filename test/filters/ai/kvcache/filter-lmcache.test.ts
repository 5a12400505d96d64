// mode: lmcache through the filter's decode, against local fake vLLM and LMCache servers: Pixiu's tryRoute test,
// both layout shapes, a slow and a down controller, a flapping one opening and closing the breaker, instance_map,
// tokenize: local routing the first request, and the metrics a user would read.
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { PreferredEndpointId } from '../../../../core/index.js';
import { tokenize } from '../../../../core/workers/tasks/tokenize.js';
import type { KvcacheConfig } from '../../../../filters/ai/kvcache/schema.js';
import type { TapTest } from '../../../helpers/conformance.js';
import { FakeLmcache, type LayoutShape } from '../../../helpers/fake-lmcache.js';
import { fakeTokens, FakeVllm } from '../../../helpers/fake-vllm.js';
import { kvHarness } from './harness.js';

async function servers(t: TapTest, shape: LayoutShape = 'array') {
  const [vllm, lmcache] = await Promise.all([FakeVllm.start(), FakeLmcache.start({ shape })]);
  t.teardown(async () => void (await Promise.all([vllm.close(), lmcache.close()])));
  return { vllm, lmcache };
}

const conf = (vllm: FakeVllm, lmcache: FakeLmcache, extra: KvcacheConfig = {}): KvcacheConfig => ({
  enabled: true,
  vllm_endpoint: vllm.origin,
  lmcache_endpoint: lmcache.origin,
  default_model: 'qwen',
  token_cache: { enabled: true },
  // Generous budgets: a loaded test machine must not turn a lookup into a timeout; the slow-lookup test sets its own.
  lookup_routing_timeout: '5s',
  request_timeout: '10s',
  ...extra,
});

const chat = (text: string) => ({ model: 'qwen', messages: [{ role: 'user', content: text }] });

t.test('TestTryRouteToCachedInstance: node-a 2, node-b 8 → node-b after one lookup; uncached → no lookup', async (t) => {
  const { vllm, lmcache } = await servers(t, 'object');
  lmcache.fixedLayout = { 'node-a': ['LocalCPUBackend', 2], 'node-b': ['LocalCPUBackend', 8] };
  const h = await kvHarness(t, conf(vllm, lmcache), { endpoints: ['node-a', 'node-b'] });
  const first = await h.decode(chat('hello'));
  t.equal(first.get(PreferredEndpointId), undefined, 'the first request for a prompt never routes (tokenize: vllm, Pixiu)');
  t.equal(lmcache.callsTo('/lookup').length, 0, 'an uncached prompt makes no lookup');
  await h.filter.backgroundIdle();
  t.equal(vllm.callsTo('/tokenize').length, 1, 'the background task tokenized it');
  const second = await h.decode(chat('hello'));
  t.equal(second.get(PreferredEndpointId), 'node-b');
  t.equal(lmcache.callsTo('/lookup').length, 1);
  t.same(lmcache.callsTo('/lookup')[0]!.body, { tokens: fakeTokens(chat('hello')) }, 'vLLM tokens of the raw chat body');
  t.equal(await h.metric('dgp_kvcache_routing_total', { outcome: 'routed', reason: 'cached_instance' }), 1);
  t.equal(await h.metric('dgp_kvcache_routing_total', { outcome: 'fallback', reason: 'no_tokens' }), 1);
  t.equal(await h.metric('dgp_kvcache_lookups_total', { result: 'hit' }), 1);
  t.equal(await h.metric('dgp_kvcache_token_cache_hits_total'), 1);
  t.equal(await h.metric('dgp_kvcache_token_cache_misses_total'), 1);
  t.equal(await h.metric('dgp_kvcache_added_latency_seconds'), 2, 'one latency observation per request');
  t.equal(vllm.callsTo('/tokenize').length, 1, 'a cached prompt is not tokenized again');
});

for (const shape of ['array', 'object'] as const) {
  t.test(`the request lands on the instance LMCache names (${shape} layout_info)`, async (t) => {
    const { vllm, lmcache } = await servers(t, shape);
    const tokens = fakeTokens(chat('a long shared document'));
    lmcache.store('vllm-a', tokens.slice(0, 5)).store('vllm-c', tokens);
    const h = await kvHarness(t, conf(vllm, lmcache));
    await h.decode(chat('a long shared document'));
    await h.filter.backgroundIdle();
    t.equal((await h.decode(chat('a long shared document'))).get(PreferredEndpointId), 'vllm-c');
  });
}

t.test('a slow lookup: the budget bounds the added latency and the request falls back', async (t) => {
  const { vllm, lmcache } = await servers(t);
  lmcache.behaviour = 'delay:1500';
  lmcache.store('vllm-b', fakeTokens(chat('slow')));
  const h = await kvHarness(t, conf(vllm, lmcache, { lookup_routing_timeout: '40ms' }));
  await h.decode(chat('slow'));
  await h.filter.backgroundIdle();
  const started = performance.now();
  const ctx = await h.decode(chat('slow'));
  t.ok(performance.now() - started < 1000, 'decode returned long before the controller answered');
  t.equal(ctx.get(PreferredEndpointId), undefined);
  t.equal(await h.metric('dgp_kvcache_lookups_total', { result: 'timeout' }), 1);
  t.equal(await h.metric('dgp_kvcache_routing_total', { reason: 'lookup_timeout' }), 1);
});

t.test('a down controller: one refused connection, then normal load balancing at once (no waiting out the budget)', async (t) => {
  const { vllm, lmcache } = await servers(t);
  const h = await kvHarness(t, conf(vllm, lmcache, { lookup_routing_timeout: '5s', request_timeout: '10s', retry: { base_backoff: '10s', max_backoff: '10s' } }));
  await h.decode(chat('down'));
  await h.filter.backgroundIdle();
  lmcache.behaviour = 'reset';
  const started = performance.now();
  const ctx = await h.decode(chat('down'));
  t.equal(ctx.get(PreferredEndpointId), undefined);
  t.equal(await h.metric('dgp_kvcache_routing_total', { reason: 'lookup_error' }), 1, 'an error, not a timeout');
  t.equal(lmcache.callsTo('/lookup').length, 1, 'the 10 s backoff outlasts the 5 s budget: no retry');
  t.ok(performance.now() - started < 4000);
});

t.test('a flapping controller opens the breaker (no more calls) and a recovered one closes it', async (t) => {
  const { vllm, lmcache } = await servers(t);
  lmcache.store('vllm-b', fakeTokens(chat('flap')));
  const clock = { now: 0 };
  const h = await kvHarness(t, conf(vllm, lmcache, { circuit_breaker: { failure_threshold: 2, recovery_timeout: '10s', half_open_max_calls: 1 }, retry: { max_attempts: 1 } }), {
    deps: { now: () => clock.now },
  });
  await h.decode(chat('flap'));
  await h.filter.backgroundIdle();
  lmcache.behaviour = 'status:503';
  await h.decode(chat('flap'));
  await h.decode(chat('flap'));
  t.equal(await h.metric('dgp_kvcache_circuit_breaker_state', { breaker: 'lmcache' }), 1, 'open');
  const refused = await h.decode(chat('flap'));
  t.equal(refused.get(PreferredEndpointId), undefined);
  t.equal(lmcache.callsTo('/lookup').length, 2, 'the open breaker made no call');
  t.equal(await h.metric('dgp_kvcache_lookups_total', { result: 'breaker_open' }), 1);
  lmcache.behaviour = 'ok';
  clock.now = 10_000;
  t.equal((await h.decode(chat('flap'))).get(PreferredEndpointId), 'vllm-b', 'the probe after recovery_timeout routes');
  t.equal(await h.metric('dgp_kvcache_circuit_breaker_state', { breaker: 'lmcache' }), 0, 'closed again');
  lmcache.behaviour = 'status:500';
  await h.decode(chat('flap'));
  await h.decode(chat('flap'));
  t.equal(await h.metric('dgp_kvcache_circuit_breaker_state', { breaker: 'lmcache' }), 1, 'and it opens again');
});

t.test('instance_map, and an instance that is no healthy endpoint of the route cluster', async (t) => {
  const { vllm, lmcache } = await servers(t);
  lmcache.fixedLayout = { lmcache_default_instance: ['LocalCPUBackend', 30] };
  const h = await kvHarness(t, conf(vllm, lmcache, { instance_map: { lmcache_default_instance: 'vllm-b' } }), {
    endpoints: ['vllm-a', 'vllm-b', { id: 'vllm-sick', unhealthy: true }],
  });
  await h.decode(chat('m'));
  await h.filter.backgroundIdle();
  t.equal((await h.decode(chat('m'))).get(PreferredEndpointId), 'vllm-b');
  lmcache.fixedLayout = { 'vllm-sick': ['LocalCPUBackend', 30] };
  t.equal((await h.decode(chat('m'))).get(PreferredEndpointId), undefined, 'unhealthy: never hinted');
  lmcache.fixedLayout = { 'somewhere-else': ['LocalCPUBackend', 30] };
  t.equal((await h.decode(chat('m'))).get(PreferredEndpointId), undefined);
  t.equal(await h.metric('dgp_kvcache_routing_total', { reason: 'unknown_instance' }), 2);
  lmcache.fixedLayout = {};
  await h.decode(chat('m'));
  t.equal(await h.metric('dgp_kvcache_lookups_total', { result: 'miss' }), 1);
});

t.test('tokenize: local routes the first request for a prompt (worker-pool tokens, no vLLM call)', async (t) => {
  const { vllm, lmcache } = await servers(t);
  const prompt = 'Summarise the attached contract in three bullet points.';
  lmcache.store('vllm-c', tokenize({ text: prompt, encoding: 'cl100k_base', ids: true }).ids!);
  const h = await kvHarness(t, { enabled: true, tokenize: 'local', lmcache_endpoint: lmcache.origin, default_encoding: 'cl100k_base', lookup_routing_timeout: '30s', request_timeout: '30s' });
  const ctx = await h.decode({ model: 'my-model', prompt });
  t.equal(ctx.get(PreferredEndpointId), 'vllm-c');
  t.equal(vllm.requests.length, 0);
});

t.test('pass-through when disabled, and bodies that cannot route fall back quietly', async (t) => {
  const { vllm, lmcache } = await servers(t);
  const off = await kvHarness(t, { enabled: false, vllm_endpoint: vllm.origin, lmcache_endpoint: lmcache.origin });
  const ctx = await off.decode(chat('x'));
  t.equal(ctx.get(PreferredEndpointId), undefined);
  t.equal(await off.metric('dgp_kvcache_routing_total'), 0);
  const h = await kvHarness(t, conf(vllm, lmcache));
  await h.decode(undefined, { raw: '{broken' });
  await h.decode({ model: 'm', messages: [] });
  t.equal(await h.metric('dgp_kvcache_routing_total', { reason: 'bad_body' }), 1);
  t.equal(await h.metric('dgp_kvcache_routing_total', { reason: 'no_prompt' }), 1);
  t.equal(vllm.requests.length + lmcache.requests.length, 0);
});
