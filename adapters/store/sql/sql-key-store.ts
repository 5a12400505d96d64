// The KeyStore contract written once in SQL over a small driver seam; the SQLite and PostgreSQL adapters provide the
// driver (placeholders, prepared statements, batched ledger inserts, conflict detection). Every lookup is one
// statement on a primary key or unique index; lists page by id (keyset), never by OFFSET.
import { randomUUID } from 'node:crypto';
import type {
  BudgetedPatch, BudgetedRecord, KeyPatch, KeyRecord, KeyStore, ListQuery, NewBudgeted, NewKey, Page, SpendQuery,
  SpendReportQuery, SpendReportRow, SpendRow,
} from '../../../core/llm/index.js';
import { storeConflict, storeInvalid } from './errors.js';
import { BUDGETED_COLUMNS, KEY_COLUMNS, decodeBudgeted, decodeKey, encodePatch, encodeRecord } from './record-codec.js';

/** What an engine provides. SQL uses `?` placeholders; a driver rewrites them if its engine wants `$n`. */
export interface SqlDriver {
  query(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Inserts ledger rows with ON CONFLICT (request_id) DO NOTHING; returns how many were new. */
  insertSpend(rows: readonly SpendRow[]): Promise<number>;
  isConflict(err: unknown): boolean;
  close(): Promise<void>;
}

type Table = 'virtual_keys' | 'teams' | 'users';
const SCOPE_COLUMN = { key: 'key_id', team: 'team_id', user: 'user_id', end_user: 'end_user', model: 'model' } as const;
const GROUP_COLUMN = { key: 'key_id', team: 'team_id', user: 'user_id', model: 'model' } as const;

const BUDGETED_DEFAULTS = {
  alias: null, team_id: null, models: [], metadata: {}, blocked: false, max_budget_nanos: null, budget_duration: null,
  soft_budget_nanos: null, rpm: null, tpm: null, max_parallel_requests: null, model_budgets: {},
} satisfies Omit<BudgetedRecord, 'id' | 'created_at' | 'updated_at'>;

/** The input without undefined fields, so an explicit `undefined` keeps the default instead of erasing it. */
function defined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}

export class SqlKeyStore implements KeyStore {
  readonly #db: SqlDriver;
  readonly #now: () => number;

  constructor(driver: SqlDriver, now: () => number = Date.now) {
    this.#db = driver;
    this.#now = now;
  }

  async createKey(input: NewKey): Promise<KeyRecord> {
    const t = this.#now();
    const rec: KeyRecord = {
      ...BUDGETED_DEFAULTS, user_id: null, routes: [], expires_at: null, priority: null, model_limits: {},
      ...defined(input), id: input.id ?? randomUUID(), created_at: t, updated_at: t,
    };
    await this.#insert('virtual_keys', KEY_COLUMNS, rec);
    return rec;
  }
  async getKey(id: string) {
    return this.#one('SELECT * FROM virtual_keys WHERE id = ?', [id], decodeKey);
  }
  async getKeyByHash(hash: string) {
    return this.#one('SELECT * FROM virtual_keys WHERE hash = ?', [hash], decodeKey);
  }
  async updateKey(id: string, patch: KeyPatch) {
    return this.#update('virtual_keys', KEY_COLUMNS, id, patch, decodeKey);
  }
  async rotateKey(id: string, hash: string, displayPrefix: string) {
    try {
      return await this.#one(
        'UPDATE virtual_keys SET hash = ?, display_prefix = ?, updated_at = ? WHERE id = ? RETURNING *',
        [hash, displayPrefix, this.#now(), id],
        decodeKey,
      );
    } catch (err) {
      throw this.#conflictOr(err, 'another key already has this hash');
    }
  }
  async setKeyBlocked(id: string, blocked: boolean) {
    return this.#update('virtual_keys', KEY_COLUMNS, id, { blocked }, decodeKey);
  }
  async deleteKey(id: string) {
    return this.#delete('virtual_keys', id);
  }
  async listKeys(query: ListQuery = {}) {
    return this.#list('virtual_keys', query, decodeKey);
  }

  async createTeam(input: NewBudgeted) {
    return this.#createBudgeted('teams', { ...input, team_id: null });
  }
  async getTeam(id: string) {
    return this.#one('SELECT * FROM teams WHERE id = ?', [id], decodeBudgeted);
  }
  async updateTeam(id: string, patch: BudgetedPatch) {
    return this.#update('teams', BUDGETED_COLUMNS, id, patch, decodeBudgeted);
  }
  async deleteTeam(id: string) {
    return this.#delete('teams', id);
  }
  async listTeams(query: ListQuery = {}) {
    return this.#list('teams', query, decodeBudgeted);
  }

  async createUser(input: NewBudgeted) {
    return this.#createBudgeted('users', input);
  }
  async getUser(id: string) {
    return this.#one('SELECT * FROM users WHERE id = ?', [id], decodeBudgeted);
  }
  async updateUser(id: string, patch: BudgetedPatch) {
    return this.#update('users', BUDGETED_COLUMNS, id, patch, decodeBudgeted);
  }
  async deleteUser(id: string) {
    return this.#delete('users', id);
  }
  async listUsers(query: ListQuery = {}) {
    return this.#list('users', query, decodeBudgeted);
  }

  async appendSpend(rows: readonly SpendRow[]): Promise<number> {
    return rows.length === 0 ? 0 : this.#db.insertSpend(rows);
  }

  async sumSpend(q: SpendQuery): Promise<number> {
    const column = SCOPE_COLUMN[q.scope];
    if (column === undefined) throw storeInvalid(`scope must be one of ${Object.keys(SCOPE_COLUMN).join(', ')}`);
    const model = q.model === undefined ? '' : ' AND model = ?';
    const params = q.model === undefined ? [q.id, q.from, q.to] : [q.id, q.from, q.to, q.model];
    const rows = await this.#db.query(
      `SELECT COALESCE(SUM(cost_nanos), 0) AS total FROM spend_ledger WHERE ${column} = ? AND ts >= ? AND ts < ?${model}`,
      params,
    );
    return Number(rows[0]?.total ?? 0);
  }

  async spendReport(q: SpendReportQuery): Promise<SpendReportRow[]> {
    const column = GROUP_COLUMN[q.group_by];
    if (column === undefined) throw storeInvalid(`group_by must be one of ${Object.keys(GROUP_COLUMN).join(', ')}`);
    const rows = await this.#db.query(
      `SELECT ${column} AS grp, COUNT(*) AS requests, SUM(cost_nanos) AS cost_nanos,
        SUM(cache_saved_nanos) AS cache_saved_nanos, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
        SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens,
        SUM(reasoning_tokens) AS reasoning_tokens
       FROM spend_ledger WHERE ts >= ? AND ts < ? GROUP BY ${column} ORDER BY cost_nanos DESC, grp`,
      [q.from, q.to],
    );
    return rows.map((r) => ({
      group: r.grp === null ? null : String(r.grp),
      requests: Number(r.requests),
      cost_nanos: Number(r.cost_nanos),
      cache_saved_nanos: Number(r.cache_saved_nanos),
      input_tokens: Number(r.input_tokens),
      output_tokens: Number(r.output_tokens),
      cache_read_tokens: Number(r.cache_read_tokens),
      cache_write_tokens: Number(r.cache_write_tokens),
      reasoning_tokens: Number(r.reasoning_tokens),
    }));
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  async #createBudgeted(table: Table, input: NewBudgeted): Promise<BudgetedRecord> {
    const t = this.#now();
    const rec: BudgetedRecord = { ...BUDGETED_DEFAULTS, ...defined(input), id: input.id ?? randomUUID(), created_at: t, updated_at: t };
    await this.#insert(table, BUDGETED_COLUMNS, rec);
    return rec;
  }

  async #insert(table: Table, columns: readonly string[], rec: object): Promise<void> {
    const values = encodeRecord(columns, rec as Record<string, unknown>);
    try {
      await this.#db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, values);
    } catch (err) {
      throw this.#conflictOr(err, `a record with this id${table === 'virtual_keys' ? ' or key hash' : ''} already exists in ${table}`);
    }
  }

  async #one<T>(sql: string, params: unknown[], decode: (row: Record<string, unknown>) => T): Promise<T | undefined> {
    const rows = await this.#db.query(sql, params);
    return rows.length === 0 ? undefined : decode(rows[0]!);
  }

  async #update<T>(table: Table, columns: readonly string[], id: string, patch: object, decode: (row: Record<string, unknown>) => T) {
    const { names, values } = encodePatch(columns, patch as Record<string, unknown>);
    const set = [...names.map((n) => `${n} = ?`), 'updated_at = ?'].join(', ');
    return this.#one(`UPDATE ${table} SET ${set} WHERE id = ? RETURNING *`, [...values, this.#now(), id], decode);
  }

  async #delete(table: Table, id: string): Promise<boolean> {
    return (await this.#db.query(`DELETE FROM ${table} WHERE id = ? RETURNING id`, [id])).length > 0;
  }

  async #list<T>(table: Table, q: ListQuery, decode: (row: Record<string, unknown>) => T): Promise<Page<T>> {
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw storeInvalid('limit must be an integer from 1 to 1000');
    const where = ['id > ?'];
    const params: unknown[] = [q.after ?? ''];
    if (q.team_id !== undefined) (where.push('team_id = ?'), params.push(q.team_id));
    if (q.user_id !== undefined && table === 'virtual_keys') (where.push('user_id = ?'), params.push(q.user_id));
    const rows = await this.#db.query(`SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, [...params, limit + 1]);
    const items = rows.slice(0, limit).map(decode);
    const last = rows.length > limit ? (rows[limit - 1]!.id as string) : undefined;
    return last === undefined ? { items } : { items, next: last };
  }

  #conflictOr(err: unknown, message: string): unknown {
    return this.#db.isConflict(err) ? storeConflict(message, { cause: err }) : err;
  }
}
