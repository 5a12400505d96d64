// Who a request's budgets belong to: the key (its own limits and per-model budgets), its team and its user (static
// teams / users from the config first, else records in the key store, cached like keys so the hot path costs no round
// trip), and the end user (the filter's budgets.end_user applies to every end user on its own). The same team and
// user records say whether they are blocked and what rates they set.
import type { BudgetedRecord, KeyStore, Principal, TeamRecord, UserRecord } from '../../../../core/llm/index.js';
import type { BudgetInput, BudgetSubject } from '../budget/budgets.js';
import { KeyCache, type KeyCacheOptions } from '../key-cache.js';
import type { BudgetLimitConfig } from '../spend-schema.js';

export type Subjects = Omit<BudgetInput, 'model'>;

/** The principal's team and user records (undefined: none, or unknown to the config and the store). */
export interface Groups {
  team: BudgetedRecord | undefined;
  user: BudgetedRecord | undefined;
}

export interface StaticGroups {
  teams: ReadonlyMap<string, BudgetedRecord>;
  users: ReadonlyMap<string, BudgetedRecord>;
}

/** A key with neither team nor user (most requests of a gateway with static keys): one shared answer. */
const NO_GROUPS: Groups = Object.freeze({ team: undefined, user: undefined });

const nanos = (usd: number | undefined): number | null => (usd === undefined ? null : Math.round(usd * 1e9));

function subjectOf(r: TeamRecord | UserRecord | undefined): BudgetSubject | null {
  if (r === undefined) return null;
  return { id: r.id, max_budget_nanos: r.max_budget_nanos, budget_duration: r.budget_duration, soft_budget_nanos: r.soft_budget_nanos, model_budgets: r.model_budgets };
}

export class BudgetSubjects {
  readonly #teams: KeyCache<TeamRecord> | undefined;
  readonly #users: KeyCache<UserRecord> | undefined;
  readonly #endUser: Omit<BudgetSubject, 'id'> | undefined;

  readonly #static: StaticGroups;

  constructor(store: KeyStore | undefined, cache: KeyCacheOptions, endUser: BudgetLimitConfig | undefined, statics: StaticGroups = { teams: new Map(), users: new Map() }) {
    this.#static = statics;
    if (store !== undefined) {
      this.#teams = new KeyCache((id) => store.getTeam(id), cache);
      this.#users = new KeyCache((id) => store.getUser(id), cache);
    }
    if (endUser !== undefined) {
      this.#endUser = { max_budget_nanos: nanos(endUser.max_budget_usd), budget_duration: endUser.budget_duration ?? null, soft_budget_nanos: nanos(endUser.soft_budget_usd) };
    }
  }

  /** The principal's team and user records; synchronous when they are static, cached, or it has none. */
  records(p: Readonly<Principal>): Groups | Promise<Groups> {
    const team = lookup(this.#static.teams, this.#teams, p.team);
    const user = lookup(this.#static.users, this.#users, p.user);
    if (!(team instanceof Promise) && !(user instanceof Promise)) return team === undefined && user === undefined ? NO_GROUPS : { team, user };
    return Promise.all([team, user]).then(([t, u]) => ({ team: t, user: u }));
  }

  /** The budget subjects of a principal whose team and user records are known. */
  fromRecords(p: Readonly<Principal>, g: Groups): Subjects {
    const { key, end_user } = this.withoutStore(p);
    return { key, team: subjectOf(g.team), user: subjectOf(g.user), end_user };
  }

  /** The principal's budget subjects; synchronous when its team and user are known without a store call. */
  of(p: Readonly<Principal>): Subjects | Promise<Subjects> {
    const g = this.records(p);
    return g instanceof Promise ? g.then((r) => this.fromRecords(p, r)) : this.fromRecords(p, g);
  }

  /** The subjects the principal carries itself (its key, its end user): what is known without the key store. */
  withoutStore(p: Readonly<Principal>): Subjects & { key: BudgetSubject; end_user: BudgetSubject | null } {
    const l = p.limits;
    const key: BudgetSubject = { id: p.key_id, max_budget_nanos: l.max_budget_nanos, budget_duration: l.budget_duration, soft_budget_nanos: l.soft_budget_nanos, model_budgets: l.model_budgets };
    const end_user = p.end_user !== null && this.#endUser !== undefined ? { id: p.end_user, ...this.#endUser } : null;
    return { key, end_user };
  }

  /** Drops a team or user (or every one) after an admin change. */
  invalidate(type: 'team' | 'user', id?: string): void {
    (type === 'team' ? this.#teams : this.#users)?.invalidate(id);
  }
}

function lookup<T>(statics: ReadonlyMap<string, T>, cache: KeyCache<T> | undefined, id: string | null): T | undefined | Promise<T | undefined> {
  if (id === null) return undefined;
  const s = statics.get(id);
  if (s !== undefined || cache === undefined) return s;
  const r = cache.get(id);
  return r.hit ? r.record : r.pending;
}
