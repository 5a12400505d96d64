// The key store contract: keys, teams, users and the append-only spend ledger. The SQLite and PostgreSQL adapters
// implement it and pass one shared contract suite (test/adapters/store/store-contract.ts). Money is integer nano-USD
// (1e-9 USD) and time is integer ms since the epoch everywhere, so no float ever reaches a budget.
import type { BudgetDuration } from './budget-window.js';
import type { ModelRateLimit } from './principal.js';

export type { BudgetDuration } from './budget-window.js';

/** A budget for one model within a key or team. */
export interface ModelBudget {
  max_budget_nanos: number;
  budget_duration: BudgetDuration | null;
}

/** Fields teams, users and keys share: who they are, what they may spend, how fast. */
export interface BudgetedRecord {
  id: string;
  alias: string | null;
  /** For users and keys: the team they belong to; always null for teams. */
  team_id: string | null;
  /** Allowed models: exact names and `*` globs; empty = every model. */
  models: string[];
  metadata: Record<string, unknown>;
  blocked: boolean;
  max_budget_nanos: number | null;
  budget_duration: BudgetDuration | null;
  soft_budget_nanos: number | null;
  rpm: number | null;
  tpm: number | null;
  max_parallel_requests: number | null;
  model_budgets: Record<string, ModelBudget>;
  created_at: number;
  updated_at: number;
}

export type TeamRecord = BudgetedRecord;
export type UserRecord = BudgetedRecord;

export interface KeyRecord extends BudgetedRecord {
  /** Lower-case hex SHA-256 of the plaintext key (unique). */
  hash: string;
  /** e.g. `sk-dgp-Ab3d…`. */
  display_prefix: string;
  user_id: string | null;
  /** Allowed route names; empty = every route. */
  routes: string[];
  expires_at: number | null;
  /** Admission priority of the key's requests when the gateway queues them (higher first); null = none. */
  priority: number | null;
  /** Request / token rates per model pattern within the key (`{"gpt-4o*": {"rpm": 10, "tpm": null}}`). */
  model_limits: Record<string, ModelRateLimit>;
}

type Settable<T extends BudgetedRecord> = Omit<T, 'id' | 'created_at' | 'updated_at'>;
/** What a create call takes: `id` optional (the store generates a UUID), every other field optional but the hash. */
export type NewBudgeted = Partial<Settable<BudgetedRecord>> & { id?: string };
export type NewKey = Partial<Omit<Settable<KeyRecord>, 'hash' | 'display_prefix'>> & {
  id?: string;
  hash: string;
  display_prefix: string;
};
/** An update: the fields to change. Hash and prefix change only through rotate. */
export type BudgetedPatch = Partial<Settable<BudgetedRecord>>;
export type KeyPatch = Partial<Omit<Settable<KeyRecord>, 'hash' | 'display_prefix'>>;

export interface ListQuery {
  /** Page size, 1..1000 (default 100). */
  limit?: number;
  /** The `next` cursor of the previous page. */
  after?: string;
  team_id?: string;
  user_id?: string;
}
export interface Page<T> {
  items: T[];
  /** Cursor for the following page; absent on the last page. */
  next?: string;
}

export type CacheOutcome = 'hit' | 'miss' | 'bypass' | 'semantic_hit';

/** One ledger row: one request, written exactly once (the request id is the primary key). */
export interface SpendRow {
  request_id: string;
  ts: number;
  key_id: string | null;
  team_id: string | null;
  user_id: string | null;
  end_user: string | null;
  model: string | null;
  provider: string | null;
  endpoint: string | null;
  route: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_nanos: number;
  cache: CacheOutcome | null;
  /**
   * A cache hit's saving, nano-USD: what the answer it replayed cost when it was generated. Absent or 0 for anything
   * else, and for a hit whose model the price book does not know.
   */
  cache_saved_nanos?: number;
  /** HTTP status answered to the client. */
  status: number;
}

export type SpendScope = 'key' | 'team' | 'user' | 'end_user' | 'model';
export interface SpendQuery {
  scope: SpendScope;
  id: string;
  /** Inclusive, ms. */
  from: number;
  /** Exclusive, ms. */
  to: number;
  /** Only this model (per-model budgets within a key or team). */
  model?: string;
}

export type SpendGroup = 'key' | 'team' | 'user' | 'model';
export interface SpendReportQuery {
  group_by: SpendGroup;
  from: number;
  to: number;
}
export interface SpendReportRow {
  /** The key id, team id, user id or model; null for requests without one. */
  group: string | null;
  requests: number;
  cost_nanos: number;
  /** What cache hits saved (the sum of the rows' cache_saved_nanos). */
  cache_saved_nanos: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}

/** Where the batched ledger writer puts rows. Returns how many were new (duplicates are ignored, not errors). */
export interface SpendSink {
  appendSpend(rows: readonly SpendRow[]): Promise<number>;
}

export interface KeyStore extends SpendSink {
  createKey(input: NewKey): Promise<KeyRecord>;
  getKey(id: string): Promise<KeyRecord | undefined>;
  /** One indexed query on the unique hash column. */
  getKeyByHash(hash: string): Promise<KeyRecord | undefined>;
  updateKey(id: string, patch: KeyPatch): Promise<KeyRecord | undefined>;
  /** Replaces the hash and prefix: the old key stops resolving at once. */
  rotateKey(id: string, hash: string, displayPrefix: string): Promise<KeyRecord | undefined>;
  setKeyBlocked(id: string, blocked: boolean): Promise<KeyRecord | undefined>;
  deleteKey(id: string): Promise<boolean>;
  listKeys(query?: ListQuery): Promise<Page<KeyRecord>>;

  createTeam(input: NewBudgeted): Promise<TeamRecord>;
  getTeam(id: string): Promise<TeamRecord | undefined>;
  updateTeam(id: string, patch: BudgetedPatch): Promise<TeamRecord | undefined>;
  deleteTeam(id: string): Promise<boolean>;
  listTeams(query?: ListQuery): Promise<Page<TeamRecord>>;

  createUser(input: NewBudgeted): Promise<UserRecord>;
  getUser(id: string): Promise<UserRecord | undefined>;
  updateUser(id: string, patch: BudgetedPatch): Promise<UserRecord | undefined>;
  deleteUser(id: string): Promise<boolean>;
  listUsers(query?: ListQuery): Promise<Page<UserRecord>>;

  /** Total cost_nanos of the scope's rows with from <= ts < to (rebuilds a window's counter after a restart). */
  sumSpend(query: SpendQuery): Promise<number>;
  /** Totals per key, team, user or model over [from, to), largest cost first. */
  spendReport(query: SpendReportQuery): Promise<SpendReportRow[]>;
  close(): Promise<void>;
}
