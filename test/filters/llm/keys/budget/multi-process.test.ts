// 3 gateway processes, each with its own Redis connection and engine, share one budget: together they admit exactly
// what fits, and the settled spend is the sum of what they charged; a process killed while holding leaks nothing.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { BudgetEngine } from '../../../../../filters/llm/keys/budget/engine.js';
import { startRedis } from '../../../../helpers/redis-server.js';
import { redisStore } from '../../../../adapters/store/redis/helpers.js';
import { keyBudget, NOW, USD } from './engine-suite.js';

const child = fileURLToPath(new URL('./engine-child.ts', import.meta.url));
const server = await startRedis();
t.teardown(() => server.close());

interface Instance { ready: Promise<void>; reserved: Promise<void>; done: Promise<{ admitted: number; settled: number }>; go(): void; settle(): void }

function instance(tag: string): Instance {
  const p = spawn(process.execPath, ['--import', 'tsx', child, server.url, '{mp}:', 'race', '20', tag], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let onReady: () => void = () => undefined;
  let onReserved: () => void = () => undefined;
  const ready = new Promise<void>((r) => (onReady = r));
  const reserved = new Promise<void>((r) => (onReserved = r));
  p.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.startsWith('ready\n')) onReady();
    if (out.startsWith('ready\nreserved\n')) onReserved();
  });
  const done = new Promise<{ admitted: number; settled: number }>((resolve, reject) => {
    p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.split('\n')[2]!)) : reject(new Error(`child ${tag} exited with ${code}: ${out}`))));
  });
  return { ready, reserved, done, go: () => void p.stdin!.write('go\n'), settle: () => void p.stdin!.end('settle\n') };
}

t.test('3 processes, 20 concurrent reservations each, a budget that fits 10: 10 admitted in all', async (t) => {
  const instances = ['p1', 'p2', 'p3'].map(instance);
  await Promise.all(instances.map((i) => i.ready));
  for (const i of instances) i.go();
  // Every process reserves before any settles: a settled request frees what its estimate held beyond its actual cost.
  await Promise.all(instances.map((i) => i.reserved));
  for (const i of instances) i.settle();
  const results = await Promise.all(instances.map((i) => i.done));
  t.equal(results.reduce((n, r) => n + r.admitted, 0), 10, `admitted per process: ${results.map((r) => r.admitted).join(', ')}`);
  const store = await redisStore({ url: server.url, key_prefix: 'mi:' });
  t.teardown(() => store.close());
  const spent = await new BudgetEngine({ store, keyPrefix: '{mp}:' }).spent(keyBudget('shared', 10 * USD), NOW);
  t.equal(spent, results.reduce((n, r) => n + r.settled, 0), 'the shared counter is the sum of the settled actuals');
  t.equal(spent, 9 * USD);
});

t.test('a process killed (SIGKILL) while holding the whole budget: its hold ends with its lease', async (t) => {
  const p = spawn(process.execPath, ['--import', 'tsx', child, server.url, '{crash}:', 'hold', '3000', 'crash-1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(p.stdout!, 'data')) as [Buffer];
  t.equal(line.toString(), 'held\n');
  p.kill('SIGKILL');
  await once(p, 'exit');
  const store = await redisStore({ url: server.url, key_prefix: 'mi:' });
  t.teardown(() => store.close());
  const survivor = new BudgetEngine({ store, keyPrefix: '{crash}:' });
  const budget = keyBudget('shared', 10 * USD);
  t.match(await survivor.reserve([budget], USD, 'after-1', NOW), { ok: false, denial: { held_nanos: 10 * USD } }, 'the dead process still holds it');
  let admitted = false;
  for (let i = 0; i < 200 && !admitted; i++) {
    await new Promise((r) => setTimeout(r, 50));
    admitted = (await survivor.reserve([budget], 10 * USD, 'after-2', NOW)).ok;
  }
  t.ok(admitted, 'the whole budget is free again once the lease ended');
});
