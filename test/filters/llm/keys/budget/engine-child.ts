// A gateway instance in its own process for the multi-instance tests: its own ioredis connection and engine.
// `race <count>`: waits for "go" on stdin, fires `count` concurrent reservations of 1 USD, prints "reserved", waits
// for "settle" (so every process has reserved before any settles), settles each admitted one at 0.9 USD, prints JSON. `hold <leaseMs>`: holds the whole budget, prints "held" and waits to be killed.
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
  const lines = stdinLines();
  process.stdout.write('ready\n');
  await lines.next();
  const results = await Promise.all(Array.from({ length: Number(arg) }, (_, i) => engine.reserve([budget], USD, `${tag}-${i}`, NOW)));
  process.stdout.write('reserved\n');
  await lines.next();
  let settled = 0;
  for (const r of results) {
    if (r.ok && (await engine.settle(r.hold, 0.9 * USD)).ok) settled += 0.9 * USD;
  }
  process.stdout.write(`${JSON.stringify({ admitted: results.filter((r) => r.ok).length, settled })}\n`);
  await store.close();
}

/** Waits for one line of stdin per call to next(). */
function stdinLines(): { next(): Promise<void> } {
  let buffered = '';
  const waiting: Array<() => void> = [];
  let ready = 0;
  process.stdin.on('data', (c: Buffer) => {
    buffered += c.toString();
    let i: number;
    while ((i = buffered.indexOf('\n')) >= 0) {
      buffered = buffered.slice(i + 1);
      const w = waiting.shift();
      if (w) w();
      else ready++;
    }
  });
  return {
    next: () => (ready > 0 ? (ready--, Promise.resolve()) : new Promise<void>((r) => waiting.push(r))),
  };
}
