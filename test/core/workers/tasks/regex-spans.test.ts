// regexSpans: match spans of each pattern in each text, flags kept, empty matches stepped over, bad patterns coded;
// and through the pool, a pattern that would backtrack forever is stopped by the caller's signal (the worker is
// terminated and replaced; the next task runs).
import t from 'tap';
import { createWorkerPool } from '../../../../core/workers/index.js';
import { regexSpans } from '../../../../core/workers/tasks/regex-spans.js';

t.test('spans per pattern and text', async (t) => {
  const r = regexSpans({ patterns: [{ source: 'ab', flags: 'i' }, { source: 'x*', flags: '' }], texts: ['AB ab', 'none'] });
  t.same(r.spans[0], [[0, 2, 3, 5], []]);
  t.same(r.spans[1]![1], [], 'empty matches are stepped over, never reported');
  t.throws(() => regexSpans({ patterns: [{ source: '(', flags: '' }], texts: ['x'] }), { code: 'DGP_ERR_WORKER_TASK' });
  t.throws(() => regexSpans(null as never), { code: 'DGP_ERR_WORKER_TASK' });
});

t.test('a catastrophic pattern in the pool is stopped by the signal; the pool goes on', async (t) => {
  const pool = createWorkerPool({ threads: 1, maxQueue: 16 });
  t.teardown(() => pool.close());
  await pool.run('regexSpans', { patterns: [], texts: [] });
  const started = Date.now();
  const err = await pool.run('regexSpans', { patterns: [{ source: '^(a+)+$', flags: '' }], texts: [`${'a'.repeat(64)}!`] }, { signal: AbortSignal.timeout(200) }).catch((e: Error) => e);
  t.equal((err as Error).name, 'AbortError');
  t.ok(Date.now() - started < 5000);
  const after = await pool.run<{ spans: number[][][] }>('regexSpans', { patterns: [{ source: 'b', flags: '' }], texts: ['abc'] });
  t.same(after.spans, [[[1, 2]]]);
});
