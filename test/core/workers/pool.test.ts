// The worker pool: task results, coded errors, queue limit, abort, close, and crash isolation.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createWorkerPool, defaultThreadCount } from '../../../core/workers/index.js';
import { isDgpError } from '../../../core/errors.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isDgpError(err) ? err.code : (err as Error).name;
  }
}

t.test('options are checked', async (t) => {
  t.throws(() => createWorkerPool({ threads: 0, maxQueue: 1 }), { code: 'DGP_ERR_CONFIG_SCHEMA' });
  t.throws(() => createWorkerPool({ threads: 1, maxQueue: -1 }), { code: 'DGP_ERR_CONFIG_SCHEMA' });
  t.ok(defaultThreadCount() >= 1);
});

t.test('tasks run in a worker and failures carry codes', async (t) => {
  const pool = createWorkerPool({ threads: 1, maxQueue: 16 });
  t.teardown(() => pool.close());
  t.equal(pool.threads, 1);
  t.same(await pool.run('tokenize', { text: 'hello world', encoding: 'cl100k_base', ids: true }), { count: 2, encoding: 'cl100k_base', ids: [15339, 1917] });
  t.equal(await codeOf(pool.run('nope', {})), 'DGP_ERR_WORKER_UNKNOWN_TASK');
  t.equal(await codeOf(pool.run('tokenize', { text: 42 })), 'DGP_ERR_WORKER_TASK');
  t.equal(await codeOf(pool.run('tokenize', { text: 'x', encoding: 'no_such_base' })), 'DGP_ERR_WORKER_ENCODING');
  t.equal(await codeOf(pool.run('hash', { value: () => 1 })), 'DGP_ERR_WORKER_TASK', 'an uncloneable input');
  t.equal(pool.stats().completed >= 4, true);
});

t.test('queue limit: tasks beyond threads + max_queue fail with DGP_ERR_WORKER_QUEUE_FULL', async (t) => {
  const pool = createWorkerPool({ threads: 1, maxQueue: 1, filename: fixture('crash-worker.ts') });
  t.teardown(() => pool.close());
  await pool.run('sleep', { ms: 1 }); // the thread is up: one runs, one waits, the rest are refused
  const runs = Array.from({ length: 5 }, () => codeOf(pool.run('sleep', { ms: 200 })));
  const codes = await Promise.all(runs);
  t.same(codes.filter((c) => c === 'resolved').length, 2);
  t.same(codes.filter((c) => c === 'DGP_ERR_WORKER_QUEUE_FULL').length, 3);
  t.equal(pool.stats().rejected, 3);
});

t.test('a crashed worker fails only its own task and is replaced', async (t) => {
  const pool = createWorkerPool({ threads: 2, maxQueue: 16, filename: fixture('crash-worker.ts') });
  t.teardown(() => pool.close());
  const text = 'The quick brown fox jumps over the lazy dog. '.repeat(200);
  const [crash, other, thrown, other2] = await Promise.allSettled([
    pool.run('crash', { code: 3 }),
    pool.run<{ count: number }>('tokenize', { text, encoding: 'cl100k_base' }),
    pool.run('throwAsync', {}),
    pool.run<{ count: number }>('tokenize', { text: 'hello world', encoding: 'cl100k_base' }),
  ]);
  t.equal(crash.status === 'rejected' && isDgpError(crash.reason) && crash.reason.code, 'DGP_ERR_WORKER_CRASHED');
  t.equal(thrown.status === 'rejected' && isDgpError(thrown.reason) && thrown.reason.code, 'DGP_ERR_WORKER_CRASHED');
  t.equal(other.status === 'fulfilled' && other.value.count, 2001, 'an unrelated task succeeded');
  t.equal(other2.status === 'fulfilled' && other2.value.count, 2);
  // The pool still has working threads afterwards.
  const after = await Promise.all(Array.from({ length: 4 }, () => pool.run<{ count: number }>('tokenize', { text: 'hello', encoding: 'cl100k_base' })));
  t.same(after.map((r) => r.count), [1, 1, 1, 1]);
  t.equal(pool.stats().crashed, 2);
});

t.test('abort and close', async (t) => {
  const pool = createWorkerPool({ threads: 1, maxQueue: 4, filename: fixture('crash-worker.ts') });
  const busy = pool.run('sleep', { ms: 150 });
  const ac = new AbortController();
  const queued = pool.run('sleep', { ms: 1 }, { signal: ac.signal });
  ac.abort();
  t.equal(await codeOf(queued), 'AbortError');
  t.equal(await busy, 'slept');
  await pool.close();
  await pool.close();
  t.equal(await codeOf(pool.run('hash', { text: 'x' })), 'DGP_ERR_WORKER_CLOSED');
});
