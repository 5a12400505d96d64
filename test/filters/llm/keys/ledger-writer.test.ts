// The write-behind ledger writer against an in-memory sink that behaves like the stores (ignores known request ids):
// size and interval flushes, one write in flight, the bound on the queue, retry after a failed write, close.
import { setTimeout as delay } from 'node:timers/promises';
import t from 'tap';
import { LedgerWriter } from '../../../../filters/llm/keys/ledger-writer.js';
import type { SpendRow, SpendSink } from '../../../../core/llm/index.js';
import { spendRow } from '../../../adapters/store/keystore-contract.js';

class MemorySink implements SpendSink {
  readonly rows = new Map<string, SpendRow>();
  readonly batches: number[] = [];
  failNext = 0;
  inFlight = 0;
  maxInFlight = 0;
  gate: Promise<void> | undefined;
  async appendSpend(rows: readonly SpendRow[]): Promise<number> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.gate;
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error('database is down');
      }
      this.batches.push(rows.length);
      let added = 0;
      for (const r of rows) if (!this.rows.has(r.request_id)) (this.rows.set(r.request_id, r), added++);
      return added;
    } finally {
      this.inFlight--;
    }
  }
}

t.test('a full batch is written at once, the rest on the interval', async (t) => {
  const sink = new MemorySink();
  const w = new LedgerWriter(sink, { maxBatch: 10, intervalMs: 30 });
  for (let i = 0; i < 13; i++) w.enqueue(spendRow(i));
  await delay(5);
  t.same(sink.batches, [10], 'the full batch did not wait for the timer');
  t.equal(w.stats.queued, 3);
  await delay(80);
  t.same(sink.batches, [10, 3]);
  t.match(w.stats, { queued: 0, flushed: 13, duplicates: 0, dropped: 0 });
  await w.close();
});

t.test('one write in flight at a time; the queue is bounded and drops are counted', async (t) => {
  const sink = new MemorySink();
  let open!: () => void;
  sink.gate = new Promise((resolve) => (open = resolve));
  const w = new LedgerWriter(sink, { maxBatch: 5, maxQueue: 20, intervalMs: 10 });
  let accepted = 0;
  for (let i = 0; i < 40; i++) if (w.enqueue(spendRow(i))) accepted++;
  await delay(30);
  t.equal(sink.maxInFlight, 1);
  t.equal(accepted, 25, 'the 5 in flight plus 20 queued');
  t.equal(w.stats.dropped, 15);
  open();
  await w.close();
  t.equal(sink.rows.size, 25);
  t.equal(sink.maxInFlight, 1);
});

t.test('a failed write keeps its rows in order and retries them; flush reports the failure', async (t) => {
  const sink = new MemorySink();
  const errors: number[] = [];
  const w = new LedgerWriter(sink, { maxBatch: 4, intervalMs: 10_000, onError: (_e, n) => errors.push(n) });
  sink.failNext = 1;
  for (let i = 0; i < 6; i++) w.enqueue(spendRow(i));
  await t.rejects(w.flush(), /database is down/);
  t.same(errors, [4]);
  t.match(w.stats, { queued: 6, failedWrites: 1, flushed: 0 });
  await w.flush();
  t.same([...sink.rows.keys()], ['req-0', 'req-1', 'req-2', 'req-3', 'req-4', 'req-5']);
  t.match(w.stats, { queued: 0, flushed: 6, duplicates: 0 });
  await w.close();
});

t.test('close writes the rest and refuses new rows; bad options are refused', async (t) => {
  const sink = new MemorySink();
  const w = new LedgerWriter(sink, { maxBatch: 100, intervalMs: 60_000 });
  for (let i = 0; i < 7; i++) w.enqueue(spendRow(i));
  await w.close();
  t.equal(sink.rows.size, 7);
  t.equal(w.enqueue(spendRow(99)), false);
  t.equal(w.stats.dropped, 1);
  t.throws(() => new LedgerWriter(sink, { maxBatch: 10, maxQueue: 5 }), RangeError);
});
