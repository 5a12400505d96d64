// Pixiu's lmcache_client_test.go (spec §6.4) against a local fake LMCache controller over real sockets: retries,
// backoff and cancellation, the open breaker; plus both layout_info shapes and the request bodies of every action.
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { CircuitBreaker } from '../../../../filters/ai/kvcache/circuit-breaker.js';
import { deadline, JsonClient } from '../../../../filters/ai/kvcache/json-client.js';
import { parseLookup, bestInstance } from '../../../../filters/ai/kvcache/layout.js';
import { LmcacheClient } from '../../../../filters/ai/kvcache/lmcache-client.js';
import type { RetryOptions } from '../../../../filters/ai/kvcache/options.js';
import type { TapTest } from '../../../helpers/conformance.js';
import { FakeLmcache } from '../../../helpers/fake-lmcache.js';

async function setup(t: TapTest, retry: Partial<RetryOptions> = {}, shape: 'array' | 'object' = 'object') {
  const fake = await FakeLmcache.start({ shape });
  const http = new JsonClient(fake.origin, { connections: 0 });
  const breaker = new CircuitBreaker('lmcache', { failureThreshold: 5, recoveryTimeoutMs: 10_000, halfOpenMaxCalls: 2 });
  const client = new LmcacheClient(http, breaker, { maxAttempts: 3, baseBackoffMs: 1, maxBackoffMs: 10, ...retry });
  t.teardown(async () => (await http.close(), await fake.close()));
  return { fake, client, breaker };
}
const never = () => new AbortController().signal;

t.test('RetrySuccess: 502, 502, 200 → 3 calls, the layout of the third', async (t) => {
  const { fake, client } = await setup(t);
  fake.fixedLayout = { 'node-a': ['LocalCPUBackend', 6] };
  fake.enqueue('status:502', 'status:502');
  const res = await client.lookup([1, 2, 3], never());
  t.equal(fake.callsTo('/lookup').length, 3);
  t.match(res.eventId, /^lookup-evt-/);
  t.same(res.layout, [{ instanceId: 'node-a', location: 'LocalCPUBackend', tokenCount: 6 }]);
  t.same(fake.requests[0]!.body, { tokens: [1, 2, 3] }, 'the documented request JSON');
});

t.test('ContextCancelDuringBackoff: a 20 ms budget with a 100 ms backoff ends with the timeout, not after it', async (t) => {
  const { fake, client } = await setup(t, { baseBackoffMs: 100, maxBackoffMs: 100 });
  fake.behaviour = 'status:500';
  const budget = deadline(20, 'lookup');
  const started = performance.now();
  const err = await client.lookup([1], budget.signal).catch((e: { code?: string }) => e);
  t.equal((err as { code?: string }).code, 'DGP_ERR_KVCACHE_TIMEOUT');
  t.ok(fake.callsTo('/lookup').length <= 1, 'no second attempt after the budget ended');
  t.ok(performance.now() - started < 5000);
});

t.test('CircuitBreakerOpen: an open breaker answers at once with 0 HTTP calls', async (t) => {
  const { fake, client, breaker } = await setup(t);
  for (let i = 0; i < 5; i++) breaker.recordFailure();
  const err = await client.lookup([1], never()).catch((e: { code?: string }) => e);
  t.equal((err as { code?: string }).code, 'DGP_ERR_KVCACHE_BREAKER_OPEN');
  t.equal(fake.requests.length, 0);
});

t.test('every attempt fails: the last error, Pixiu message, and no sleep after the final attempt', async (t) => {
  const { fake, client } = await setup(t, { maxAttempts: 1, baseBackoffMs: 60_000, maxBackoffMs: 60_000 });
  fake.behaviour = 'status:500';
  const err = (await client.lookup([1], never()).catch((e: unknown) => e)) as { code: string; message: string };
  t.equal(err.code, 'DGP_ERR_KVCACHE_LMCACHE');
  t.match(err.message, /\[kvcache\] lmcache status 500: \{"detail":"fake status 500"\}/);
  t.equal(fake.requests.length, 1, 'returned without the 60 s backoff Pixiu would sleep');
});

t.test('with a deadline, a retry whose wait would outlast it is not started', async (t) => {
  const { fake, client } = await setup(t, { maxAttempts: 3, baseBackoffMs: 100, maxBackoffMs: 100 });
  fake.behaviour = 'reset';
  const err = (await client.lookup([1], never(), { deadlineAt: performance.now() + 50 }).catch((e: unknown) => e)) as { code: string };
  t.equal(err.code, 'DGP_ERR_KVCACHE_LMCACHE', 'the connection error itself, at once');
  t.equal(fake.requests.length, 1);
});

t.test('both layout_info shapes, and the flat shape of the LMCache README', async (t) => {
  for (const shape of ['array', 'object'] as const) {
    const { fake, client } = await setup(t, {}, shape);
    fake.store('vllm-a', [1, 2, 3, 4]).store('vllm-b', [1, 2, 9], 'LocalDiskBackend');
    const res = await client.lookup([1, 2, 3, 4, 5], never());
    t.same(res.layout, [
      { instanceId: 'vllm-a', location: 'LocalCPUBackend', tokenCount: 4 },
      { instanceId: 'vllm-b', location: 'LocalDiskBackend', tokenCount: 2 },
    ], `${shape} shape`);
    t.equal(bestInstance(res.layout)?.instanceId, 'vllm-a');
  }
  t.same(parseLookup({ event_id: 'x', lmcache_default_instance: ['LocalCPUBackend', 12] }).layout, [{ instanceId: 'lmcache_default_instance', location: 'LocalCPUBackend', tokenCount: 12 }]);
  t.same(parseLookup({ event_id: 'x', layout_info: {} }).layout, [], 'nothing cached');
  t.throws(() => parseLookup({ layout_info: { a: 'nonsense' } }), { code: 'DGP_ERR_KVCACHE_BAD_RESPONSE' });
  t.throws(() => parseLookup([1]), { code: 'DGP_ERR_KVCACHE_BAD_RESPONSE' });
});

t.test('bestInstance: most tokens wins, ties go to the first listed, zero never routes', async (t) => {
  const l = (id: string, n: number) => ({ instanceId: id, location: '', tokenCount: n });
  t.equal(bestInstance([l('node-a', 2), l('node-b', 8)])?.instanceId, 'node-b');
  t.equal(bestInstance([l('x', 5), l('y', 5)])?.instanceId, 'x');
  t.equal(bestInstance([l('x', 0)]), undefined);
});

t.test('a 2xx answer that is not JSON is DGP_ERR_KVCACHE_BAD_RESPONSE', async (t) => {
  const { fake, client } = await setup(t, { maxAttempts: 1 });
  fake.behaviour = 'bad-json';
  const err = (await client.lookup([1], never()).catch((e: unknown) => e)) as { code: string };
  t.equal(err.code, 'DGP_ERR_KVCACHE_BAD_RESPONSE');
});

t.test('pin, compress, evict and clear send the documented JSON', async (t) => {
  const { fake, client } = await setup(t);
  const s = never();
  t.same(await client.pin([1, 2], 'inst', 'LocalCPUBackend', s), { eventId: 'pin-evt-1', numTokens: 2 });
  await client.compress([1, 2], 'inst', 'LocalCPUBackend', 'zstd', s);
  await client.evict([1, 2], 'inst', s);
  await client.clear('inst', 'LocalCPUBackend', s);
  t.same(
    fake.requests.map((r) => [r.path, r.body]),
    [
      ['/pin', { tokens: [1, 2], instance_id: 'inst', location: 'LocalCPUBackend' }],
      ['/compress', { tokens: [1, 2], instance_id: 'inst', location: 'LocalCPUBackend', method: 'zstd' }],
      ['/evict', { tokens: [1, 2], instance_id: 'inst' }],
      ['/clear', { instance_id: 'inst', location: 'LocalCPUBackend' }],
    ],
  );
  t.equal(fake.requests[0]!.raw.toString().startsWith('{'), true);
});

t.test('a base URL with a path prefix keeps it', async (t) => {
  const fake = await FakeLmcache.start();
  const http = new JsonClient(`${fake.origin}/api/`, { connections: 1 });
  t.teardown(async () => (await http.close(), await fake.close()));
  await http.post('/lookup', { tokens: [] }, never(), 'DGP_ERR_KVCACHE_LMCACHE');
  t.equal(fake.requests[0]!.path, '/api/lookup');
});
