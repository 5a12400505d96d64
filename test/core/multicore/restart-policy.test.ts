// The crash-restart backoff: 100 ms doubling to 10 s for quick repeated exits, starting over after 30 s of health.
import t from 'tap';
import { DEFAULT_RESTART_POLICY as P, nextRestart } from '../../../core/multicore/restart-policy.js';

t.test('quick repeated exits double the delay up to 10 s, so a crash loop forks at most once per 10 s', async (t) => {
  const delays: number[] = [];
  let streak = 0;
  for (let i = 0; i < 12; i++) {
    const d = nextRestart(P, streak, 50);
    delays.push(d.delayMs);
    streak = d.streak;
  }
  t.same(delays, [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000, 10_000, 10_000]);
  t.equal(nextRestart(P, 1_000_000, 0).delayMs, 10_000, 'an endless loop stays at the cap (no overflow)');
});

t.test('an exit after 30 s of running starts the backoff over', async (t) => {
  t.same(nextRestart(P, 7, 30_000), { delayMs: 100, streak: 1 });
  t.same(nextRestart(P, 7, 29_999), { delayMs: 10_000, streak: 8 });
  t.same(nextRestart(P, 0, 0), { delayMs: 100, streak: 1 }, 'the first crash waits 100 ms');
});
