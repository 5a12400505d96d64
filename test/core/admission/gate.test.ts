// One concurrency gate and its waiting room, without sockets: the fast path, priority order and FIFO within a
// priority, displacement in a full queue, max_wait, cancellation, and reconfiguration with requests in flight.
import t from 'tap';
import { ConcurrencyGate } from '../../../core/admission/gate.js';
import { WaitQueue, Waiter, type WaitOutcome } from '../../../core/admission/wait-queue.js';

const cfg = (max: number, length = 100, wait = 10_000) => ({ max_concurrency: max, queue: { max_length: length, max_wait: wait } });

function waiter(log: string[], name: string, priority: number): Waiter {
  return new Waiter(priority, 0, (o: WaitOutcome) => log.push(`${name}:${o}`));
}

t.test('the queue serves the highest priority first, first come first served within one', async (t) => {
  const q = new WaitQueue();
  const log: string[] = [];
  const ws = [['a', 0], ['b', 5], ['c', 0], ['d', -3], ['e', 5], ['f', 1]].map(([n, p]) => waiter(log, n as string, p as number));
  for (const w of ws) q.push(w);
  t.equal(q.size, 6);
  t.equal(q.lowest(), ws[3], 'the newest of the lowest priority gives way first');
  t.ok(q.remove(ws[2]!), 'any waiter can leave');
  t.notOk(q.remove(ws[2]!), 'only once');
  const order: number[] = [];
  for (let w = q.shift(); w !== undefined; w = q.shift()) order.push(ws.indexOf(w));
  t.same(order, [1, 4, 5, 0, 3]);
  t.equal(q.size, 0);
  t.equal(q.lowest(), undefined);
});

t.test('a gate admits at once while a slot is free, queues after, and hands each freed slot to the next waiter', async (t) => {
  const g = new ConcurrencyGate('global', '');
  g.configure(cfg(2));
  t.ok(g.tryEnter());
  t.ok(g.tryEnter());
  t.notOk(g.tryEnter(), 'full');
  const log: string[] = [];
  const low = waiter(log, 'low', 0);
  const high = waiter(log, 'high', 9);
  t.ok(g.enqueue(low));
  t.ok(g.enqueue(high));
  g.leave();
  t.same(log, ['high:admitted'], 'the freed slot goes to the higher priority');
  t.equal(g.inFlight, 2);
  g.leave();
  t.same(log, ['high:admitted', 'low:admitted']);
  g.leave();
  g.leave();
  t.equal(g.inFlight, 0);
  t.ok(g.tryEnter(), 'free again, nobody waiting');
});

t.test('no cap: every request enters and is counted', async (t) => {
  const g = new ConcurrencyGate('cluster', 'c');
  g.configure(cfg(0));
  let entered = 0;
  for (let i = 0; i < 1000; i++) if (g.tryEnter()) entered++;
  t.equal(entered, 1000);
  t.equal(g.inFlight, 1000);
});

t.test('a full queue refuses an equal or lower priority and gives up its newest lowest waiter for a higher one', async (t) => {
  const g = new ConcurrencyGate('global', '');
  g.configure(cfg(1, 2));
  g.tryEnter();
  const log: string[] = [];
  const a = waiter(log, 'a', 0);
  const b = waiter(log, 'b', 0);
  t.ok(g.enqueue(a));
  t.ok(g.enqueue(b));
  t.notOk(g.enqueue(waiter(log, 'c', 0)), 'same priority: refused');
  t.notOk(g.enqueue(waiter(log, 'd', -1)), 'lower: refused');
  t.ok(g.enqueue(waiter(log, 'e', 1)), 'higher: takes a place');
  t.same(log, ['b:displaced'], 'the newest of the lowest priority gave way');
  t.equal(g.queue.size, 2);
  g.leave();
  g.leave();
  t.same(log, ['b:displaced', 'e:admitted', 'a:admitted']);
});

t.test('max_length 0 or max_wait 0: no queue at all', async (t) => {
  const g = new ConcurrencyGate('global', '');
  g.configure(cfg(1, 0));
  g.tryEnter();
  t.notOk(g.enqueue(waiter([], 'x', 100)));
  g.configure(cfg(1, 10, 0));
  t.notOk(g.enqueue(waiter([], 'y', 100)));
});

t.test('max_wait ends a wait with timeout; a cancelled waiter is never settled', async (t) => {
  const g = new ConcurrencyGate('global', '');
  g.configure(cfg(1, 10, 30));
  g.tryEnter();
  const log: string[] = [];
  const a = waiter(log, 'a', 0);
  const b = waiter(log, 'b', 0);
  g.enqueue(a);
  g.enqueue(b);
  t.ok(g.cancel(b));
  t.notOk(g.cancel(b));
  await new Promise((r) => setTimeout(r, 80));
  t.same(log, ['a:timeout']);
  t.equal(g.queue.size, 0);
  g.leave();
  t.equal(g.inFlight, 0, 'nobody was admitted after leaving');
});

t.test('reconfigure: a raised cap admits waiters at once, a lowered one cuts nothing and holds new requests', async (t) => {
  const g = new ConcurrencyGate('global', '');
  g.configure(cfg(1));
  g.tryEnter();
  const log: string[] = [];
  for (const n of ['a', 'b', 'c']) g.enqueue(waiter(log, n, 0));
  g.configure(cfg(3));
  t.same(log, ['a:admitted', 'b:admitted'], 'two more slots, the two oldest waiters');
  t.equal(g.inFlight, 3);
  g.configure(cfg(1));
  t.equal(g.inFlight, 3, 'the three in flight keep their slots');
  g.leave();
  g.leave();
  t.same(log, ['a:admitted', 'b:admitted'], 'still above the new cap: c waits');
  g.leave();
  t.same(log, ['a:admitted', 'b:admitted', 'c:admitted'], 'under it: c gets the slot');
  g.configure(cfg(0));
  t.ok(g.tryEnter(), 'cap removed');
});
