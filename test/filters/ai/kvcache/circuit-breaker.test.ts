// Pixiu's circuit_breaker_test.go (spec §6.4) ported, on a manual clock instead of sleeps.
import t from 'tap';
import { BreakerState, CircuitBreaker } from '../../../../filters/ai/kvcache/circuit-breaker.js';

function setup(threshold = 3, recoveryMs = 100, halfOpenMax = 2) {
  const clock = { now: 0 };
  const states: number[] = [];
  const cb = new CircuitBreaker('test', { failureThreshold: threshold, recoveryTimeoutMs: recoveryMs, halfOpenMaxCalls: halfOpenMax }, () => clock.now, (s) => states.push(s));
  const ok = () => cb.execute(async () => 'ok');
  const fail = () => cb.execute(async () => Promise.reject(new Error('boom'))).catch((e: Error) => e);
  return { cb, clock, ok, fail, states };
}

t.test('InitialState: closed and allowing', async (t) => {
  const { cb } = setup();
  t.equal(cb.state, BreakerState.Closed);
  t.ok(cb.allow());
});

t.test('TransitionToOpen: threshold 3; then calls are refused without running', async (t) => {
  const { cb, fail, states } = setup(3);
  await fail();
  await fail();
  t.equal(cb.state, BreakerState.Closed);
  await fail();
  t.equal(cb.state, BreakerState.Open);
  let ran = false;
  const err = await cb.execute(async () => (ran = true)).catch((e: { code?: string }) => e);
  t.equal((err as { code?: string }).code, 'DGP_ERR_KVCACHE_BREAKER_OPEN');
  t.notOk(ran, 'the operation did not run');
  t.same(states, [BreakerState.Open], 'onChange saw the transition');
});

t.test('TransitionToHalfOpen: after the recovery timeout a success closes', async (t) => {
  const { cb, clock, fail, ok, states } = setup(3, 100);
  for (let i = 0; i < 3; i++) await fail();
  clock.now = 99;
  t.notOk(cb.allow(), 'still open before recovery_timeout');
  clock.now = 150;
  t.equal(await ok(), 'ok');
  t.equal(cb.state, BreakerState.Closed);
  t.same(states, [BreakerState.Open, BreakerState.HalfOpen, BreakerState.Closed]);
});

t.test('HalfOpenToClosed: halfOpenCalls is reset to 0', async (t) => {
  const { cb, clock, fail } = setup(1, 100);
  await fail();
  clock.now = 100;
  t.ok(cb.allow(), 'the probe is allowed (not counted)');
  t.equal(cb.state, BreakerState.HalfOpen);
  t.ok(cb.allow());
  t.equal(cb.halfOpenCalls, 1);
  cb.recordSuccess();
  t.equal(cb.state, BreakerState.Closed);
  t.equal(cb.halfOpenCalls, 0);
});

t.test('HalfOpenToOpen: a failure while half-open reopens at once', async (t) => {
  const { cb, clock, fail } = setup(3, 100);
  for (let i = 0; i < 3; i++) await fail();
  clock.now = 200;
  await fail();
  t.equal(cb.state, BreakerState.Open, 'the failure count was never reset, so one failure is enough');
  clock.now = 250;
  t.notOk(cb.allow(), 'the recovery timeout restarts from the last failure');
});

t.test('HalfOpenMaxCalls: at most half_open_max_calls after the probe; the first success closes', async (t) => {
  const { cb, clock, fail } = setup(1, 100, 2);
  await fail();
  clock.now = 100;
  t.ok(cb.allow(), 'probe');
  t.ok(cb.allow(), 'half-open call 1');
  t.ok(cb.allow(), 'half-open call 2');
  t.notOk(cb.allow(), 'refused beyond half_open_max_calls');
  cb.recordSuccess();
  t.equal(cb.state, BreakerState.Closed);
  t.ok(cb.allow());
});

t.test('SuccessResetsFailureCount', async (t) => {
  const { cb, fail, ok } = setup(3);
  await fail();
  await fail();
  await ok();
  t.equal(cb.failureCount, 0);
  await fail();
  await fail();
  t.equal(cb.state, BreakerState.Closed, 'two failures after a success do not open a threshold-3 breaker');
});

t.test('OnlyResetsHalfOpenCallsWhenTransitioning: a success while closed keeps halfOpenCalls', async (t) => {
  const { cb } = setup();
  cb.setHalfOpenCallsForTest(5);
  cb.recordSuccess();
  t.equal(cb.halfOpenCalls, 5);
  t.equal(cb.state, BreakerState.Closed);
});

t.test('a failure the predicate excludes (a client abort) is not counted', async (t) => {
  const { cb } = setup(1);
  await cb.execute(async () => Promise.reject(new Error('aborted')), () => false).catch(() => undefined);
  t.equal(cb.state, BreakerState.Closed);
  t.equal(cb.failureCount, 0);
});
