// runSteps: a check written as a generator runs synchronously while what it yields is already there, and goes on
// asynchronously from the first promise, with rejections thrown back into the generator's own try/catch.
import t from 'tap';
import { runSteps, type Steps } from '../../../../filters/ai/guardrails/maybe-sync.js';

function* add(values: unknown[]): Steps<number> {
  let sum = 0;
  for (const v of values) {
    try {
      sum += (yield v) as number;
    } catch (err) {
      sum += 1000;
      if ((err as Error).message === 'fatal') throw err;
    }
  }
  return sum;
}

t.test('all values present: the result itself, not a promise', async (t) => {
  const r = runSteps(add([1, 2, 3]));
  t.equal(r, 6);
});

t.test('a promise midway: the rest runs after it, values and promises alike', async (t) => {
  const r = runSteps(add([1, Promise.resolve(2), 3, Promise.resolve(4)]));
  t.ok(r instanceof Promise);
  t.equal(await r, 10);
});

t.test('a rejected promise is caught by the generator where it yielded it', async (t) => {
  t.equal(await runSteps(add([Promise.reject(new Error('x')), 5])), 1005);
  t.equal(await runSteps(add([1, Promise.resolve(1), Promise.reject(new Error('y'))])), 1002);
});

t.test('an error the generator rethrows rejects the run', async (t) => {
  await t.rejects(runSteps(add([Promise.reject(new Error('fatal'))])) as Promise<number>, { message: 'fatal' });
  t.throws(() => runSteps((function* (): Steps<number> { throw new Error('sync'); })()), { message: 'sync' });
});
