// Durability of the SQLite ledger under kill -9: a child writes rows through the batched writer and is SIGKILLed
// mid-stream, several times on one file. Every batch the child saw committed is there after a re-open, the rows form
// an unbroken prefix (batches are atomic: none half-written), and the file passes SQLite's integrity check.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { openSqliteStore } from '../../../../adapters/store/sqlite/sqlite-store.js';

const child = fileURLToPath(new URL('./ledger-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dgp-kill9-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const MAX_BATCH = 64;
const INTERVAL_MS = 20;

/**
 * Runs the child until it has reported `atLeast` committed rows beyond `from`, then sends `signal`; resolves with the
 * last row reported (for SIGTERM: the last row the child queued before it closed the writer).
 */
function runAndKill(path: string, from: number, atLeast: number, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, path, String(MAX_BATCH), String(INTERVAL_MS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let last = -1;
    let sent = false;
    let buf = '';
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) last = Math.max(last, Number(line.split(' ')[1]));
      if (last >= from + atLeast && !sent) (sent = p.kill(signal));
    });
    p.once('exit', (code, sig) => {
      if (sent && (sig === 'SIGKILL' || code === 0)) resolve(last);
      else reject(new Error(`child exited with ${code ?? sig} before it was signalled:\n${err}`));
    });
  });
}

t.test('kill -9 loses nothing the writer committed and never corrupts the file', async (t) => {
  const path = join(dir, 'ledger.db');
  let committed = -1;
  for (let round = 0; round < 3; round++) {
    // Each round appends after the rows already there: request ids restart at 0, so the child's rows 0..n are
    // duplicates the ledger ignores (exactly once) until it passes the previous round's last row.
    const reported = await runAndKill(path, committed, 2000);
    const raw = new Database(path);
    t.equal(raw.pragma('integrity_check', { simple: true }), 'ok', `round ${round}: integrity`);
    const { n, maxSeq, sumCost, bad } = raw
      .prepare(
        `SELECT COUNT(*) AS n, MAX(CAST(SUBSTR(request_id, 5) AS INTEGER)) AS maxSeq, SUM(cost_nanos) AS sumCost,
          SUM(CASE WHEN cost_nanos != CAST(SUBSTR(request_id, 5) AS INTEGER) + 1 THEN 1 ELSE 0 END) AS bad
         FROM spend_ledger`,
      )
      .get() as { n: number; maxSeq: number; sumCost: number; bad: number };
    raw.close();
    t.ok(maxSeq >= reported, `round ${round}: every reported row is there (last reported ${reported}, stored up to ${maxSeq})`);
    t.equal(n, maxSeq + 1, `round ${round}: an unbroken prefix, no half-written batch`);
    t.equal(bad, 0, `round ${round}: every row intact`);
    t.equal(sumCost, ((maxSeq + 1) * (maxSeq + 2)) / 2);
    committed = maxSeq;
  }
  const store = openSqliteStore({ path });
  t.equal(await store.sumSpend({ scope: 'key', id: 'k1', from: 0, to: 1e9 }), ((committed + 1) * (committed + 2)) / 2);
  await store.close();
});

t.test('on SIGTERM the writer is closed and every queued row is written', async (t) => {
  const path = join(dir, 'sigterm.db');
  const lastQueued = await runAndKill(path, -1, 1000, 'SIGTERM');
  const raw = new Database(path, { readonly: true });
  const { n, maxSeq } = raw
    .prepare('SELECT COUNT(*) AS n, MAX(CAST(SUBSTR(request_id, 5) AS INTEGER)) AS maxSeq FROM spend_ledger')
    .get() as { n: number; maxSeq: number };
  raw.close();
  t.equal(maxSeq, lastQueued, 'the last queued row is there');
  t.equal(n, lastQueued + 1, 'and every row before it');
});
