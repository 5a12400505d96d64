// Pixiu's token_manager_test.go (spec §6.4) against a local fake vLLM, plus what Pixiu lacks: a real LRU with TTL,
// refresh on store, one /tokenize for concurrent identical prompts, the tokenize breaker, and the hot window.
import t from 'tap';
import { CircuitBreaker } from '../../../../filters/ai/kvcache/circuit-breaker.js';
import { HotWindow } from '../../../../filters/ai/kvcache/hot-window.js';
import { JsonClient } from '../../../../filters/ai/kvcache/json-client.js';
import { LruTtlCache } from '../../../../filters/ai/kvcache/lru-ttl.js';
import { TokenManager } from '../../../../filters/ai/kvcache/token-manager.js';
import { VllmTokenSource } from '../../../../filters/ai/kvcache/vllm-client.js';
import type { TapTest } from '../../../helpers/conformance.js';
import { fakeTokens, FakeVllm } from '../../../helpers/fake-vllm.js';

const never = () => new AbortController().signal;

async function setup(t: TapTest, cache = { enabled: true, maxSize: 0, ttlMs: 0 }, threshold = 5) {
  const vllm = await FakeVllm.start();
  const http = new JsonClient(vllm.origin, { connections: 0 });
  const breaker = new CircuitBreaker('tokenize', { failureThreshold: threshold, recoveryTimeoutMs: 60_000, halfOpenMaxCalls: 1 });
  const tm = new TokenManager(new VllmTokenSource(http, breaker), cache);
  t.teardown(async () => (await http.close(), await vllm.close()));
  return { vllm, tm, breaker };
}

t.test('GetTokensUsesCache: /tokenize once for two calls; stats size 1, hit 1, miss 1, rate 0.5', async (t) => {
  const { vllm, tm } = await setup(t);
  const req = { model: 'm', prompt: 'hello' };
  const a = await tm.getTokens('k', req, never());
  const b = await tm.getTokens('k', req, never());
  t.same(a, fakeTokens({ prompt: 'hello' }));
  t.same(b, a);
  t.equal(vllm.callsTo('/tokenize').length, 1);
  t.same(tm.stats(), { size: 1, hit_rate: 0.5, hit_count: 1, miss_count: 1 });
  t.same(vllm.requests[0]!.body, { model: 'm', prompt: 'hello' }, 'no raw body: {model, prompt}');
});

t.test('RawBodyAndErrorHandling: the raw body reaches /tokenize unchanged; a 500 caches nothing', async (t) => {
  const { vllm, tm } = await setup(t);
  const raw = Buffer.from('{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}');
  const tokens = await tm.getTokens('k1', { model: 'm', prompt: 'hi', rawBody: raw }, never());
  t.equal(vllm.requests[0]!.raw.toString(), raw.toString(), 'byte for byte');
  t.same(tokens, fakeTokens(JSON.parse(raw.toString())), 'the chat template applied by vLLM');
  vllm.behaviour = 'status:500';
  const err = (await tm.getTokens('k2', { model: 'm', prompt: 'x' }, never()).catch((e: unknown) => e)) as { code: string; message: string };
  t.match(err.message, /tokenize status 500/);
  t.equal(err.code, 'DGP_ERR_KVCACHE_TOKENIZE');
  t.equal(tm.stats().size, 1, 'the failure was not cached');
  await t.resolves(tm.getTokens('k3', { model: '', prompt: 'y' }, never()).catch(() => undefined));
  t.same(vllm.requests.at(-1)!.body, { prompt: 'y' }, 'an empty model is omitted');
});

t.test('concurrent identical prompts share one /tokenize call', async (t) => {
  const { vllm, tm } = await setup(t);
  vllm.behaviour = 'delay:30';
  const all = await Promise.all(Array.from({ length: 5 }, () => tm.getTokens('same', { model: 'm', prompt: 'p' }, never())));
  t.equal(vllm.callsTo('/tokenize').length, 1);
  t.ok(all.every((x) => x === all[0]));
});

t.test('cache disabled: every call tokenizes and getCachedTokens never answers (Pixiu)', async (t) => {
  const { vllm, tm } = await setup(t, { enabled: false, maxSize: 0, ttlMs: 0 });
  await tm.getTokens('k', { model: 'm', prompt: 'p' }, never());
  await tm.getTokens('k', { model: 'm', prompt: 'p' }, never());
  t.equal(vllm.callsTo('/tokenize').length, 2);
  t.equal(tm.getCachedTokens('k'), undefined);
  t.same(tm.stats(), { size: 0, hit_rate: 0, hit_count: 0, miss_count: 0 });
});

t.test('repeated tokenize failures open the tokenize breaker: no more calls', async (t) => {
  const { vllm, tm } = await setup(t, undefined, 2);
  vllm.behaviour = 'reset';
  for (let i = 0; i < 3; i++) await tm.getTokens(`k${i}`, { model: 'm', prompt: `p${i}` }, never()).catch(() => undefined);
  t.equal(vllm.requests.length, 2, 'the third call was refused by the open breaker');
});

t.test('LruTtlCache: least recently used goes first, TTL expires, set refreshes', async (t) => {
  const clock = { now: 0 };
  const c = new LruTtlCache<number>({ maxSize: 2, ttlMs: 100, now: () => clock.now });
  c.set('a', 1);
  c.set('b', 2);
  t.equal(c.get('a'), 1, 'a is now the most recently used');
  c.set('c', 3);
  t.same([c.peek('a'), c.peek('b'), c.peek('c')], [1, undefined, 3], 'b was evicted, not an arbitrary entry');
  clock.now = 90;
  c.set('a', 10);
  clock.now = 150;
  t.equal(c.get('c'), undefined, 'c expired');
  t.equal(c.get('a'), 10, 'a was refreshed by the second set (Pixiu LoadOrStore never refreshes)');
  t.equal(c.size, 1, 'the expired entry was dropped on read');
  const unbounded = new LruTtlCache<number>({ maxSize: 0, ttlMs: 1000, now: () => clock.now });
  for (let i = 0; i < 100; i++) unbounded.set(`k${i}`, i);
  clock.now += 2000;
  unbounded.set('late', 1);
  t.equal(unbounded.size, 1, 'expired entries are swept even when never read again');
});

t.test('HotWindow: counts within the window, caps records and keys (Pixiu RecordHot / IsHot)', async (t) => {
  const clock = { now: 0 };
  const hot = new HotWindow({ windowMs: 1000, maxRecords: 3, maxKeys: 2, now: () => clock.now });
  hot.record('p');
  hot.record('p');
  t.ok(hot.isHot('p', 2));
  t.notOk(hot.isHot('p', 3));
  t.notOk(hot.isHot('p', 0), 'threshold 0 is never hot');
  for (let i = 0; i < 5; i++) hot.record('p');
  t.equal(hot.count('p'), 3, 'hot_max_records newest kept');
  clock.now = 1500;
  t.notOk(hot.isHot('p', 1), 'everything fell out of the window');
  hot.record('q');
  clock.now = 1600;
  hot.record('r');
  t.equal(hot.size, 2, 'hot_max_keys: the expired key p went first');
  hot.record('s');
  t.same([hot.count('q'), hot.count('r'), hot.count('s')], [0, 1, 1], 'then the least recently seen');
});
