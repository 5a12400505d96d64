// Port of Pixiu exponentialbackoff/exponential_backoff_test.go (spec §6.2): factory, attempts, timing, reset — plus
// the abort that Pixiu lacks. Delays are asserted exactly with pinned jitter; real-time checks assert lower bounds.
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { createExponentialBackoff, parseExponentialBackoff } from '../../../../../filters/llm/proxy/retry/index.js';

t.test('TestExponentialBackoffRetry_Factory', async (t) => {
  const s = parseExponentialBackoff({ times: 3, initialInterval: '50ms', maxInterval: '500ms', multiplier: 2.0 });
  t.equal(s.maxAttempts, 4);
  t.equal(s.initialInterval, 50);
  t.equal(s.maxInterval, 500);
  t.throws(() => parseExponentialBackoff({ initialInterval: '50someting' }), {
    message: 'invalid initialInterval: time: unknown unit "someting" in duration "50someting"',
  });
  t.throws(() => parseExponentialBackoff({ maxInterval: '500' }), { message: 'invalid maxInterval: time: missing unit in duration "500"' });
  t.throws(() => parseExponentialBackoff({ times: 'three' }), /^failed to decode exponential backoff config: .*'times' expected type 'uint', got unconvertible type 'string', value: 'three'/s);
  t.throws(() => parseExponentialBackoff({ times: -1 }), /failed to decode exponential backoff config: .*cannot parse 'times', -1 overflows uint/s);
});

t.test('defaults: times 2, 100ms, 5s, ×2; keys match case-insensitively (mapstructure)', async (t) => {
  t.same(parseExponentialBackoff({}), { maxAttempts: 3, initialInterval: 100, maxInterval: 5000, multiplier: 2 });
  t.same(parseExponentialBackoff({ TIMES: 1, initialinterval: '10ms', MaxInterval: '1s', Multiplier: 3 }), {
    maxAttempts: 2,
    initialInterval: 10,
    maxInterval: 1000,
    multiplier: 3,
  });
});

t.test('TestExponentialBackoffRetry_Attempts: times 2 → 3 attempts, the 4th refused', async (t) => {
  const p = createExponentialBackoff({ times: 2, initialInterval: '1ms', maxInterval: '2ms' }, () => 0);
  t.same([await p.attempt(), await p.attempt(), await p.attempt(), await p.attempt()], [true, true, true, false]);
});

t.test('TestExponentialBackoffRetry_Timing: delays 0, I, I·m, … capped at max, plus 0–99 ms jitter', async (t) => {
  const pinned = (r: number) => createExponentialBackoff({ times: 5, initialInterval: '20ms', maxInterval: '70ms', multiplier: 2 }, () => r);
  const low = pinned(0);
  t.same([low.next(), low.next(), low.next(), low.next(), low.next(), low.next(), low.next()], [0, 20, 40, 70, 70, 70, undefined]);
  const high = pinned(0.999);
  t.same([high.next(), high.next(), high.next()], [0, 119, 139], '2nd within [20,120), 3rd within [40,140)');
});

t.test('real waits: the 2nd attempt waits at least 20 ms, the 3rd at least 40 ms', async (t) => {
  const p = createExponentialBackoff({ times: 2, initialInterval: '20ms', multiplier: 2 });
  let at = performance.now();
  await p.attempt();
  const first = performance.now() - at;
  at = performance.now();
  await p.attempt();
  const second = performance.now() - at;
  at = performance.now();
  await p.attempt();
  const third = performance.now() - at;
  t.ok(first < 20, `first attempt does not wait (${first.toFixed(1)} ms)`);
  t.ok(second >= 19, `second waited ${second.toFixed(1)} ms`);
  t.ok(third >= 39, `third waited ${third.toFixed(1)} ms`);
});

t.test('TestExponentialBackoffRetry_Reset: times 1 → 2 attempts; again after Reset', async (t) => {
  const p = createExponentialBackoff({ times: 1, initialInterval: '1ms' }, () => 0);
  t.same([await p.attempt(), await p.attempt(), await p.attempt()], [true, true, false]);
  p.reset();
  t.same([await p.attempt(), await p.attempt(), await p.attempt()], [true, true, false]);
});

t.test('an abort cancels the backoff wait at once (Pixiu sleeps through it)', async (t) => {
  const p = createExponentialBackoff({ times: 1, initialInterval: '10s' });
  t.equal(await p.attempt(), true);
  const ctl = new AbortController();
  const at = performance.now();
  setTimeout(() => ctl.abort(), 20);
  t.equal(await p.attempt(ctl.signal), false, 'the aborted wait refuses the attempt');
  t.ok(performance.now() - at < 2000, 'returned long before the 10 s wait');
});
