// The embedded key store: one SQLite file through better-sqlite3 (synchronous, in-process). WAL journal with
// synchronous=NORMAL: a committed transaction survives a process crash (kill -9); only an OS crash or power loss
// can roll back the last commits, never corrupt the file. Statements are prepared once and cached.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyStore, SpendRow } from '../../../core/llm/index.js';
import { storeUnavailable } from '../sql/errors.js';
import { SPEND_COLUMNS, encodeSpend } from '../sql/record-codec.js';
import { SCHEMA_VERSION_DDL, migrations } from '../sql/schema.js';
import { SqlKeyStore, type SqlDriver } from '../sql/sql-key-store.js';

export interface SqliteStoreOptions {
  /** Database file; its directory is created. `:memory:` for a private in-memory database. */
  path: string;
  /** How long a writer waits for another process's lock, ms. Default: 5000. */
  busyTimeoutMs?: number;
  now?: () => number;
}

/** Opens (creating and migrating as needed) the SQLite key store. */
export function openSqliteStore(opts: SqliteStoreOptions): KeyStore {
  let db: Database.Database;
  try {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    db = new Database(opts.path, { timeout: opts.busyTimeoutMs ?? 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db);
  } catch (err) {
    throw storeUnavailable(`cannot open the SQLite key store at ${opts.path}: ${(err as Error).message}`, { cause: err });
  }
  return new SqlKeyStore(sqliteDriver(db), opts.now);
}

function migrate(db: Database.Database): void {
  db.exec(SCHEMA_VERSION_DDL);
  // IMMEDIATE takes the write lock before reading the version, so two processes opening one file migrate once.
  db.transaction(() => {
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    const current = row.v ?? 0;
    const all = migrations('sqlite');
    for (let n = current + 1; n <= all.length; n++) {
      for (const stmt of all[n - 1]!) db.exec(stmt);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(n);
    }
  }).immediate();
}

function sqliteDriver(db: Database.Database): SqlDriver {
  const cache = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let stmt = cache.get(sql);
    if (stmt === undefined) cache.set(sql, (stmt = db.prepare(sql)));
    return stmt;
  };
  const insert = db.prepare(
    `INSERT INTO spend_ledger (${SPEND_COLUMNS.join(', ')}) VALUES (${SPEND_COLUMNS.map(() => '?').join(', ')})
     ON CONFLICT (request_id) DO NOTHING`,
  );
  // One transaction per batch: one WAL commit (one fsync at checkpoint time) instead of one per row.
  const insertAll = db.transaction((rows: readonly SpendRow[]) => {
    let added = 0;
    for (const row of rows) added += insert.run(encodeSpend(row)).changes;
    return added;
  });
  return {
    async query(sql, params) {
      const stmt = prepared(sql);
      if (stmt.reader) return stmt.all(...params) as Record<string, unknown>[];
      stmt.run(...params);
      return [];
    },
    async insertSpend(rows) {
      return insertAll(rows);
    },
    isConflict: (err) => typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('SQLITE_CONSTRAINT'),
    async close() {
      if (db.open) db.close();
    },
  };
}
