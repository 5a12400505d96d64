// A gateway instance in its own process for the multi-instance tests: its own ioredis connection and engine.
// `race <count>`: waits for "go" on stdin, fires `count` concurrent reservations of 1 USD, settles each admitted one
// at 0.9 USD, prints JSON. `hold <leaseMs>`: holds the whole budget, prints "held" and waits to be killed.
import { BudgetEngine } from '../../../../../filters/llm/keys/budget/engine.js';
import { redisStore } from '../../../../adapters/store/redis/helpers.js';
import { keyBudget, NOW, USD } from './engine-suite.js';

const [url, keyPrefix, mode, arg, tag] = process.argv.slice(2) as [string, string, 'race' | 'hold', string, string];
const store = await redisStore({ url, key_prefix: 'mi:' });
const budget = keyBudget('shared', 10 * USD);
if (mode === 'hold') {
  const engine = new BudgetEngine({ store, keyPrefix, leaseMs: Number(arg) });
  const r = await engine.reserve([budget], 10 * USD, tag, NOW);
  process.stdout.write(r.ok ? 'held\n' : `refused ${JSON.stringify(r)}\n`);
  setInterval(() => undefined, 60_000);
} else {
  const engine = new BudgetEngine({ store, keyPrefix });
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const results = await Promise.all(Array.from({ length: Number(arg) }, (_, i) => engine.reserve([budget], USD, `${tag}-${i}`, NOW)));
  let settled = 0;
  for (const r of results) {
    if (r.ok && (await engine.settle(r.hold, 0.9 * USD)).ok) settled += 0.9 * USD;
  }
  process.stdout.write(`${JSON.stringify({ admitted: results.filter((r) => r.ok).length, settled })}\n`);
  await store.close();
}
