// Child process of the durability tests: writes ledger rows through the batched writer as fast as it can and prints
// the highest sequence number of each batch once SQLite has committed it. The parent kills it with SIGKILL mid-stream,
// or sends SIGTERM, on which the child closes the writer (as the host's graceful drain does) and prints the last row.
import { LedgerWriter } from '../../../../filters/llm/keys/ledger-writer.js';
import { openSqliteStore } from '../../../../adapters/store/sqlite/sqlite-store.js';
import type { SpendRow } from '../../../../core/llm/index.js';
import { spendRow } from '../keystore-contract.js';

const [path, maxBatch, intervalMs] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const store = openSqliteStore({ path });
const sink = {
  async appendSpend(rows: readonly SpendRow[]) {
    const added = await store.appendSpend(rows);
    process.stdout.write(`committed ${rows[rows.length - 1]!.request_id.slice(4)}\n`);
    return added;
  },
};
const writer = new LedgerWriter(sink, { maxBatch, intervalMs });
let seq = 0;
let stopped = false;
process.once('SIGTERM', () => {
  stopped = true;
  void writer.close().then(async () => {
    await store.close();
    process.stdout.write(`closed ${seq - 1}\n`);
    process.exit(0);
  });
});
const produce = (): void => {
  if (stopped) return;
  // Uneven bursts so that kills land both at batch boundaries and in the middle of a batch.
  const burst = 1 + (seq % 37);
  for (let i = 0; i < burst; i++, seq++) writer.enqueue(spendRow(seq, { cost_nanos: seq + 1, ts: 1_000_000 + seq }));
  setImmediate(produce);
};
produce();
