// Port of Pixiu countbased/count_based_test.go (spec §6.2) plus its config parsing errors (spec §4.3), and NoRetry.
import t from 'tap';
import { createCountBased, createNoRetry, parseCountBasedTimes } from '../../../../../filters/llm/proxy/retry/index.js';

async function drain(p: { attempt(): Promise<boolean> }, n: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push(await p.attempt());
  return out;
}

t.test('TestCountBasedRetry_Factory: times 2 → 3 attempts; missing → 3; "two" is an error', async (t) => {
  t.equal(createCountBased({ times: 2 }).maxAttempts, 3);
  t.equal(createCountBased({}).maxAttempts, 3, 'default times is 2');
  t.throws(() => createCountBased({ times: 'two' }), { message: `could not parse string value for 'times': strconv.Atoi: parsing "two": invalid syntax` });
});

t.test('TestCountBasedRetry_Attempts: times 2 → true ×3, then false', async (t) => {
  t.same(await drain(createCountBased({ times: 2 }), 4), [true, true, true, false]);
});

t.test('TestCountBasedRetry_Reset: times 1 → true, true, false; again after Reset', async (t) => {
  const p = createCountBased({ times: 1 });
  t.same(await drain(p, 3), [true, true, false]);
  p.reset();
  t.same(await drain(p, 3), [true, true, false]);
});

t.test('times accepts ints, whole floats and numeric strings, with Pixiu messages otherwise', async (t) => {
  t.equal(parseCountBasedTimes({ times: 3.0 }), 3);
  t.equal(parseCountBasedTimes({ times: '4' }), 4);
  t.equal(parseCountBasedTimes({ times: 0 }), 0);
  t.throws(() => parseCountBasedTimes({ times: 2.5 }), { message: `invalid float value for 'times', must be a whole number, but got 2.500000` });
  t.throws(() => parseCountBasedTimes({ times: -1 }), { message: `value for 'times' cannot be negative, but got -1` });
  t.throws(() => parseCountBasedTimes({ times: '-2' }), { message: `value for 'times' cannot be negative, but got -2` });
  t.throws(() => parseCountBasedTimes({ times: true }), { message: `invalid type for 'times', expected a number or a numeric string, but got bool` });
  t.throws(() => parseCountBasedTimes({ times: null }), { message: `invalid type for 'times', expected a number or a numeric string, but got <nil>` });
  t.throws(() => parseCountBasedTimes({ times: ' 3' }), /could not parse string value/);
  t.equal(parseCountBasedTimes({ Times: 7 }), 2, "the key is case-sensitive: 'Times' is not 'times'");
});

t.test('CountBased never waits between attempts', async (t) => {
  const p = createCountBased({ times: 3 });
  t.same([p.next(), p.next(), p.next(), p.next(), p.next()], [0, 0, 0, 0, undefined]);
});

t.test('NoRetry: one attempt, config ignored', async (t) => {
  const p = createNoRetry();
  t.equal(p.maxAttempts, 1);
  t.same(await drain(p, 3), [true, false, false]);
  p.reset();
  t.equal(await p.attempt(), true);
});
