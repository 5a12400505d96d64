// The shared key store on PostgreSQL through `pg` (pure JS): keys and the spend ledger for many gateway instances.
// BIGINT (money, times) and NUMERIC (sums) come back as JS numbers, checked to be safe integers. Statements run as
// named prepared statements, parsed once per pooled connection.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { KeyStore, SpendRow } from '../../../core/llm/index.js';
import { storeUnavailable } from '../sql/errors.js';
import { SPEND_COLUMNS, encodeSpend } from '../sql/record-codec.js';
import { SCHEMA_VERSION_DDL, migrations } from '../sql/schema.js';
import { SqlKeyStore, type SqlDriver } from '../sql/sql-key-store.js';

export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:port/db` or a unix socket: `postgres://user@/db?host=/run/postgresql`. */
  url: string;
  /** Pool size. Default: 10. */
  maxConnections?: number;
  /** How long acquiring a connection may take, ms. Default: 0 (no limit, as pg's default). */
  connectTimeoutMs?: number;
  now?: () => number;
}

const INT8 = 20;
const NUMERIC = 1700;
/** Any fixed number unique to this schema: serialises migrations of instances that start together. */
const MIGRATION_LOCK = 0x64677001;
/** Rows per INSERT: 18 columns × 1000 stays well below PostgreSQL's 65535 bind parameters. */
const INSERT_CHUNK = 1000;

function toSafeNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer ${text} is beyond 2^53: the key store keeps money in nano-USD`);
  return n;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return toSafeNumber;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** `?` placeholders to `$1..$n` (the shared SQL has no `?` inside literals). */
const numbered = (sql: string): string => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

/** Connects, migrates and returns the PostgreSQL key store. */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<KeyStore> {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.maxConnections ?? 10, connectionTimeoutMillis: opts.connectTimeoutMs ?? 0, types });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end();
    throw storeUnavailable(`cannot open the PostgreSQL key store: ${(err as Error).message}`, { cause: err });
  }
  return new SqlKeyStore(postgresDriver(pool), opts.now);
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(SCHEMA_VERSION_DDL);
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
    const all = migrations('postgres');
    for (let n = (rows[0]?.v ?? 0) + 1; n <= all.length; n++) {
      for (const stmt of all[n - 1]!) await client.query(stmt);
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [n]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

function postgresDriver(pool: pg.Pool): SqlDriver {
  const names = new Map<string, { name: string; text: string }>();
  const statement = (sql: string) => {
    let s = names.get(sql);
    if (s === undefined) {
      s = { name: `dgp_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`, text: numbered(sql) };
      names.set(sql, s);
    }
    return s;
  };
  return {
    async query(sql, params) {
      const s = statement(sql);
      return (await pool.query({ name: s.name, text: s.text, values: params as unknown[] })).rows;
    },
    async insertSpend(rows: readonly SpendRow[]) {
      let added = 0;
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const chunk = rows.slice(i, i + INSERT_CHUNK);
        const values = chunk.flatMap(encodeSpend);
        const w = SPEND_COLUMNS.length;
        const tuples = chunk.map((_, r) => `(${SPEND_COLUMNS.map((__, c) => `$${r * w + c + 1}`).join(', ')})`);
        const res = await pool.query(
          `INSERT INTO spend_ledger (${SPEND_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (request_id) DO NOTHING`,
          values,
        );
        added += res.rowCount ?? 0;
      }
      return added;
    },
    isConflict: (err) => (err as { code?: unknown }).code === '23505',
    close: () => pool.end(),
  };
}
