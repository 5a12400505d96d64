// Pixiu's strategy_test.go (spec §6.4) against a local fake LMCache: decisions from hotness, memory and load;
// compress, pin, evict in that order; the first error stops the rest; evict_api: clear posts /clear.
import t from 'tap';
import { CircuitBreaker } from '../../../../filters/ai/kvcache/circuit-breaker.js';
import { HotWindow } from '../../../../filters/ai/kvcache/hot-window.js';
import { JsonClient } from '../../../../filters/ai/kvcache/json-client.js';
import { LmcacheClient } from '../../../../filters/ai/kvcache/lmcache-client.js';
import { LoadMonitor, type LoadSample } from '../../../../filters/ai/kvcache/load-monitor.js';
import type { StrategyOptions } from '../../../../filters/ai/kvcache/options.js';
import { CacheStrategy, type ActionOutcome, type BackgroundAction } from '../../../../filters/ai/kvcache/strategy.js';
import type { TapTest } from '../../../helpers/conformance.js';
import { FakeLmcache } from '../../../helpers/fake-lmcache.js';

const base: StrategyOptions = {
  enableCompression: false,
  enablePinning: false,
  enableEviction: false,
  memoryThreshold: 0,
  loadThreshold: 0,
  hotContentThreshold: 0,
  pinInstanceId: 'pin-i',
  pinLocation: 'LocalCPUBackend',
  compressInstanceId: 'cmp-i',
  compressLocation: 'LocalCPUBackend',
  compressMethod: 'zstd',
  evictInstanceId: 'ev-i',
  evictLocation: 'LocalDiskBackend',
  evictApi: 'evict',
};

async function setup(t: TapTest, opts: Partial<StrategyOptions>, load?: () => LoadSample) {
  const fake = await FakeLmcache.start();
  const http = new JsonClient(fake.origin, { connections: 0 });
  const client = new LmcacheClient(http, new CircuitBreaker('lmcache', { failureThreshold: 5, recoveryTimeoutMs: 1000, halfOpenMaxCalls: 1 }), { maxAttempts: 1, baseBackoffMs: 1, maxBackoffMs: 1 });
  const hot = new HotWindow({ windowMs: 60_000, maxRecords: 300, maxKeys: 0 });
  const actions: Array<[BackgroundAction, ActionOutcome]> = [];
  const monitor = new LoadMonitor();
  const s = new CacheStrategy({ ...base, ...opts }, hot, load ?? (() => monitor.sample()), client, (a, o) => actions.push([a, o]));
  t.teardown(async () => (await http.close(), await fake.close()));
  return { fake, s, hot, actions };
}

const never = () => new AbortController().signal;

t.test('MakeDecision: hot twice with threshold 2 and memory threshold 1e-7 → pin and evict, reason hot_content', async (t) => {
  const { s, hot } = await setup(t, { enablePinning: true, enableEviction: true, hotContentThreshold: 2, memoryThreshold: 1e-7 });
  hot.record('key');
  hot.record('key');
  const d = s.makeDecision('key');
  t.match(d, { pin: true, evict: true, compress: false, reason: 'hot_content' });
  t.match(s.makeDecision('other'), { pin: false, evict: true, reason: 'memory_threshold' });
});

t.test('compression on gateway load, only when enabled and the threshold is set', async (t) => {
  const { s } = await setup(t, { enableCompression: true, loadThreshold: 0.7 }, () => ({ cpu: 0.75, mem: 0 }));
  t.match(s.makeDecision('k'), { compress: true, reason: 'high_load' });
  const off = await setup(t, { enableCompression: false, loadThreshold: 0.7 }, () => ({ cpu: 1, mem: 1 }));
  t.match(off.s.makeDecision('k'), { compress: false, pin: false, evict: false, reason: '' });
  t.notOk(off.s.anyEnabled);
});

t.test('ExecuteDecision: /compress, /pin, /evict in that order with the configured targets', async (t) => {
  const { fake, s, actions } = await setup(t, {});
  await s.executeDecision({ compress: true, pin: true, evict: true, reason: 'x' }, [5, 6], never());
  t.same(
    fake.requests.map((r) => [r.path, r.body]),
    [
      ['/compress', { tokens: [5, 6], instance_id: 'cmp-i', location: 'LocalCPUBackend', method: 'zstd' }],
      ['/pin', { tokens: [5, 6], instance_id: 'pin-i', location: 'LocalCPUBackend' }],
      ['/evict', { tokens: [5, 6], instance_id: 'ev-i' }],
    ],
  );
  t.same(actions, [['compress', 'ok'], ['pin', 'ok'], ['evict', 'ok']]);
});

t.test('StopsOnFirstError: a failing /compress stops before /pin and /evict', async (t) => {
  const { fake, s, actions } = await setup(t, {});
  fake.enqueue('status:500');
  await t.rejects(s.executeDecision({ compress: true, pin: true, evict: true, reason: 'x' }, [1], never()), { code: 'DGP_ERR_KVCACHE_LMCACHE' });
  t.same(fake.requests.map((r) => r.path), ['/compress']);
  t.same(actions, [['compress', 'error']]);
});

t.test('evict_api: clear posts /clear {instance_id, location} instead of /evict', async (t) => {
  const { fake, s, actions } = await setup(t, { evictApi: 'clear' });
  await s.executeDecision({ compress: false, pin: false, evict: true, reason: 'memory_threshold' }, [1, 2], never());
  t.same(fake.requests.map((r) => [r.path, r.body]), [['/clear', { instance_id: 'ev-i', location: 'LocalDiskBackend' }]]);
  t.same(actions, [['clear', 'ok']]);
});

t.test('LoadMonitor measures this process: first CPU sample 0, values in [0,1]', async (t) => {
  const m = new LoadMonitor();
  const first = m.sample();
  t.equal(first.cpu, 0);
  t.ok(first.mem > 0 && first.mem <= 1);
  let x = 0;
  for (let i = 0; i < 2e6; i++) x += i;
  const second = m.sample();
  t.ok(second.cpu >= 0 && second.cpu <= 1 && x > 0);
});
