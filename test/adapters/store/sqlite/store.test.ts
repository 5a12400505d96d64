// The SQLite key store against the shared contract, plus what only a file gives: WAL mode, reopen with the data and
// the schema intact, migration once, the hash lookup's query plan.
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SCHEMA_VERSION_DDL, migrations } from '../../../../adapters/store/sql/schema.js';
import { openSqliteStore } from '../../../../adapters/store/sqlite/sqlite-store.js';
import { generateKey } from '../../../../filters/llm/keys/key-material.js';
import { spendRow, storeContract } from '../keystore-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'dgp-sqlite-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

t.test('contract', async (t) => {
  storeContract(t, { fresh: async (now) => openSqliteStore({ path: join(dir, `c${++n}`, 'dgp.db'), now }) });
});

t.test('the file is in WAL mode, and reopening keeps data and migrates once', async (t) => {
  const path = join(dir, 'reopen', 'dgp.db');
  const a = openSqliteStore({ path });
  const k = generateKey();
  const rec = await a.createKey({ hash: k.hash, display_prefix: k.displayPrefix, alias: 'kept' });
  await a.appendSpend([spendRow(1)]);
  await a.close();
  const b = openSqliteStore({ path });
  t.same(await b.getKeyByHash(k.hash), rec);
  t.equal(await b.sumSpend({ scope: 'key', id: 'k1', from: 0, to: 1e7 }), 1000);
  await b.close();
  const raw = new Database(path, { readonly: true });
  t.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  t.same(raw.prepare('SELECT version FROM schema_version').all(), [{ version: 1 }, { version: 2 }, { version: 3 }]);
  raw.close();
});

t.test('a database of schema 1 is migrated on open: its keys gain priority (none) and model_limits (empty)', async (t) => {
  const path = join(dir, 'v1', 'dgp.db');
  mkdirSync(join(dir, 'v1'));
  const raw = new Database(path);
  raw.exec(SCHEMA_VERSION_DDL);
  for (const stmt of migrations('sqlite')[0]!) raw.exec(stmt);
  raw.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
  raw.prepare(`INSERT INTO virtual_keys (id, models, metadata, model_budgets, created_at, updated_at, hash, display_prefix, routes)
    VALUES ('old', '[]', '{}', '{}', 1, 1, 'h-old', 'sk-dgp-old…', '[]')`).run();
  raw.close();
  const store = openSqliteStore({ path });
  t.match(await store.getKeyByHash('h-old'), { id: 'old', priority: null, model_limits: {} });
  t.match(await store.updateKey('old', { priority: 3 }), { priority: 3 });
  await store.close();
});

t.test('a database of schema 2 is migrated on open: its ledger rows gain cache_saved_nanos 0', async (t) => {
  const path = join(dir, 'v2', 'dgp.db');
  mkdirSync(join(dir, 'v2'));
  const raw = new Database(path);
  raw.exec(SCHEMA_VERSION_DDL);
  for (const [i, m] of migrations('sqlite').slice(0, 2).entries()) {
    for (const stmt of m) raw.exec(stmt);
    raw.prepare('INSERT INTO schema_version (version) VALUES (?)').run(i + 1);
  }
  raw.prepare(`INSERT INTO spend_ledger (request_id, ts, key_id, cost_nanos, cache, status) VALUES ('old', 10, 'k1', 500, 'miss', 200)`).run();
  raw.close();
  const store = openSqliteStore({ path });
  await store.appendSpend([spendRow(1, { ts: 20, cost_nanos: 0, cache: 'hit', cache_saved_nanos: 500 })]);
  t.match(await store.spendReport({ group_by: 'key', from: 0, to: 100 }), [{ group: 'k1', requests: 2, cost_nanos: 500, cache_saved_nanos: 500 }]);
  await store.close();
  const check = new Database(path, { readonly: true });
  t.same(check.prepare('SELECT request_id, cache_saved_nanos FROM spend_ledger ORDER BY ts').all(), [{ request_id: 'old', cache_saved_nanos: 0 }, { request_id: 'req-1', cache_saved_nanos: 500 }]);
  t.same(check.prepare('SELECT MAX(version) AS v FROM schema_version').get(), { v: 3 });
  check.close();
});

t.test('an unopenable path is a coded 503', async (t) => {
  writeFileSync(join(dir, 'a-file'), '');
  t.throws(() => openSqliteStore({ path: join(dir, 'a-file', 'x.db') }), { code: 'DGP_ERR_KEYSTORE_UNAVAILABLE', status: 503 });
});

t.test('getKeyByHash is one lookup on the unique hash index', async (t) => {
  const path = join(dir, 'plan', 'dgp.db');
  (await openSqliteStore({ path }).close());
  const raw = new Database(path, { readonly: true });
  const plan = raw.prepare('EXPLAIN QUERY PLAN SELECT * FROM virtual_keys WHERE hash = ?').all('x') as Array<{ detail: string }>;
  t.match(plan[0]?.detail, /SEARCH virtual_keys USING INDEX sqlite_autoindex_virtual_keys_\d \(hash=\?\)/);
  raw.close();
});
