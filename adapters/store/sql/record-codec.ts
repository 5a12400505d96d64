// Columns of the key-store tables and the mapping between records and SQL parameters/rows. Shared by the SQLite and
// PostgreSQL drivers: lists and objects are JSON text, booleans 0/1, money and times integers (BIGINT in PostgreSQL,
// which the driver parses back to numbers), so both engines store exactly the same values.
import type { BudgetedRecord, KeyRecord, SpendRow } from '../../../core/llm/index.js';
import { storeInvalid } from './errors.js';

export const BUDGETED_COLUMNS = [
  'id', 'alias', 'team_id', 'models', 'metadata', 'blocked', 'max_budget_nanos', 'budget_duration',
  'soft_budget_nanos', 'rpm', 'tpm', 'max_parallel_requests', 'model_budgets', 'created_at', 'updated_at',
] as const;
export const KEY_COLUMNS = [...BUDGETED_COLUMNS, 'hash', 'display_prefix', 'user_id', 'routes', 'expires_at', 'priority', 'model_limits'] as const;
export const SPEND_COLUMNS = [
  'request_id', 'ts', 'key_id', 'team_id', 'user_id', 'end_user', 'model', 'provider', 'endpoint', 'route',
  'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_nanos',
  'cache', 'status', 'cache_saved_nanos',
] as const satisfies ReadonlyArray<keyof SpendRow>;

const JSON_COLUMNS = new Set(['models', 'metadata', 'model_budgets', 'routes', 'model_limits']);
const OBJECT_COLUMNS = new Set(['metadata', 'model_budgets', 'model_limits']);
const INT_COLUMNS = new Set([
  'max_budget_nanos', 'soft_budget_nanos', 'rpm', 'tpm', 'max_parallel_requests', 'created_at', 'updated_at',
  'expires_at', 'priority',
]);
/** Columns a patch may not touch: identity and bookkeeping. Hash and prefix change through rotate only. */
const FIXED = new Set(['id', 'created_at', 'updated_at', 'hash', 'display_prefix']);

/** One column's value as an SQL parameter. */
export function encodeColumn(column: string, value: unknown): unknown {
  if (JSON_COLUMNS.has(column)) return JSON.stringify(value ?? (OBJECT_COLUMNS.has(column) ? {} : []));
  if (column === 'blocked') return value === true ? 1 : 0;
  if (value === undefined || value === null) return null;
  if (INT_COLUMNS.has(column) && !Number.isSafeInteger(value)) {
    throw storeInvalid(`${column} must be an integer (nano-USD for budgets, ms since the epoch for times); got ${String(value)}`);
  }
  return value;
}

export function encodeRecord(columns: readonly string[], record: Record<string, unknown>): unknown[] {
  return columns.map((c) => encodeColumn(c, record[c]));
}

/** The SET part of an UPDATE for a patch: column names (checked against the table's) and their parameters. */
export function encodePatch(columns: readonly string[], patch: Record<string, unknown>): { names: string[]; values: unknown[] } {
  const names: string[] = [];
  const values: unknown[] = [];
  for (const [name, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (FIXED.has(name) || !columns.includes(name)) throw storeInvalid(`field "${name}" cannot be updated`);
    names.push(name);
    values.push(encodeColumn(name, value));
  }
  return { names, values };
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const parse = <T>(v: unknown, empty: T): T => (typeof v === 'string' && v !== '' ? (JSON.parse(v) as T) : empty);

export function decodeBudgeted(row: Record<string, unknown>): BudgetedRecord {
  return {
    id: String(row.id),
    alias: text(row.alias),
    team_id: text(row.team_id),
    models: parse<string[]>(row.models, []),
    metadata: parse<Record<string, unknown>>(row.metadata, {}),
    blocked: Number(row.blocked) === 1,
    max_budget_nanos: num(row.max_budget_nanos),
    budget_duration: text(row.budget_duration) as BudgetedRecord['budget_duration'],
    soft_budget_nanos: num(row.soft_budget_nanos),
    rpm: num(row.rpm),
    tpm: num(row.tpm),
    max_parallel_requests: num(row.max_parallel_requests),
    model_budgets: parse<BudgetedRecord['model_budgets']>(row.model_budgets, {}),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}

export function decodeKey(row: Record<string, unknown>): KeyRecord {
  return {
    ...decodeBudgeted(row),
    hash: String(row.hash),
    display_prefix: String(row.display_prefix),
    user_id: text(row.user_id),
    routes: parse<string[]>(row.routes, []),
    expires_at: num(row.expires_at),
    priority: num(row.priority),
    model_limits: parse<KeyRecord['model_limits']>(row.model_limits, {}),
  };
}

export function encodeSpend(row: SpendRow): unknown[] {
  for (const c of ['ts', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_nanos', 'status'] as const) {
    if (!Number.isSafeInteger(row[c])) throw storeInvalid(`spend row ${row.request_id}: ${c} must be an integer; got ${String(row[c])}`);
  }
  if (row.cache_saved_nanos !== undefined && !Number.isSafeInteger(row.cache_saved_nanos)) throw storeInvalid(`spend row ${row.request_id}: cache_saved_nanos must be an integer; got ${String(row.cache_saved_nanos)}`);
  return SPEND_COLUMNS.map((c) => row[c] ?? (c === 'cache_saved_nanos' ? 0 : null));
}
