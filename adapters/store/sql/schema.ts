// The key-store schema as numbered migrations, written once for both engines (only the integer type differs:
// SQLite INTEGER is 64-bit, PostgreSQL needs BIGINT for nano-USD sums). Applied on open, idempotently; the highest
// applied number is kept in `schema_version`.
export type Dialect = 'sqlite' | 'postgres';

const budgetedColumns = (int: string): string => `
  id TEXT PRIMARY KEY,
  alias TEXT,
  team_id TEXT,
  models TEXT NOT NULL,
  metadata TEXT NOT NULL,
  blocked INTEGER NOT NULL DEFAULT 0,
  max_budget_nanos ${int},
  budget_duration TEXT,
  soft_budget_nanos ${int},
  rpm ${int},
  tpm ${int},
  max_parallel_requests ${int},
  model_budgets TEXT NOT NULL,
  created_at ${int} NOT NULL,
  updated_at ${int} NOT NULL`;

/** Migration n (1-based) is MIGRATIONS[n - 1]; each is a list of statements run in one transaction. */
export function migrations(dialect: Dialect): string[][] {
  const int = dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
  return [
    [
      `CREATE TABLE teams (${budgetedColumns(int)})`,
      `CREATE TABLE users (${budgetedColumns(int)})`,
      `CREATE INDEX users_team ON users (team_id)`,
      `CREATE TABLE virtual_keys (${budgetedColumns(int)},
        hash TEXT NOT NULL UNIQUE,
        display_prefix TEXT NOT NULL,
        user_id TEXT,
        routes TEXT NOT NULL,
        expires_at ${int})`,
      `CREATE INDEX virtual_keys_team ON virtual_keys (team_id)`,
      `CREATE INDEX virtual_keys_user ON virtual_keys (user_id)`,
      `CREATE TABLE spend_ledger (
        request_id TEXT PRIMARY KEY,
        ts ${int} NOT NULL,
        key_id TEXT, team_id TEXT, user_id TEXT, end_user TEXT,
        model TEXT, provider TEXT, endpoint TEXT, route TEXT,
        input_tokens ${int} NOT NULL DEFAULT 0,
        output_tokens ${int} NOT NULL DEFAULT 0,
        cache_read_tokens ${int} NOT NULL DEFAULT 0,
        cache_write_tokens ${int} NOT NULL DEFAULT 0,
        reasoning_tokens ${int} NOT NULL DEFAULT 0,
        cost_nanos ${int} NOT NULL,
        cache TEXT,
        status INTEGER NOT NULL)`,
      `CREATE INDEX spend_ts ON spend_ledger (ts)`,
      `CREATE INDEX spend_key_ts ON spend_ledger (key_id, ts)`,
      `CREATE INDEX spend_team_ts ON spend_ledger (team_id, ts)`,
      `CREATE INDEX spend_user_ts ON spend_ledger (user_id, ts)`,
      `CREATE INDEX spend_end_user_ts ON spend_ledger (end_user, ts)`,
      `CREATE INDEX spend_model_ts ON spend_ledger (model, ts)`,
    ],
    [
      // A key's admission priority and its rates per model pattern (read by the admission queue and the rate limiter).
      `ALTER TABLE virtual_keys ADD COLUMN priority ${int}`,
      `ALTER TABLE virtual_keys ADD COLUMN model_limits TEXT NOT NULL DEFAULT '{}'`,
    ],
    [
      // What a cache hit saved (the cost of the answer it replayed), nano-USD; 0 for every row written before.
      `ALTER TABLE spend_ledger ADD COLUMN cache_saved_nanos ${int} NOT NULL DEFAULT 0`,
    ],
  ];
}

export const SCHEMA_VERSION_DDL = 'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)';
