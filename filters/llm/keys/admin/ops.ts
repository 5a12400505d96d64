// The key API's operations over the KeyStore, shared by the native routes and the LiteLLM aliases: each mutation
// logs its audit record and tells the keys filter which key changed (so it drops its cached copy).
import { budgetWindow, type BudgetedPatch, type BudgetedRecord, type KeyPatch, type KeyRecord, type KeyStore, type NewBudgeted, type NewKey } from '../../../../core/llm/index.js';
import { keysAdminNotFound } from '../errors.js';
import { generateKey, hashKey } from '../key-material.js';
import { logMutation, type AuditLog } from './audit.js';
import type { Actor } from './auth.js';
import type { BudgetScope, BudgetStatus } from '../spend/budget-report.js';

export interface KeyChange {
  type: 'key' | 'team' | 'user';
  id: string;
  /** For keys: the hash that resolved to the key before the change (the old one after a rotate). */
  hash?: string;
}

export interface KeyAdminOptions {
  store: KeyStore;
  /** The configured master key; the filter mounts the key API only when it is set. */
  masterKey: string;
  log: AuditLog;
  now?: () => number;
  /** Called after every mutation, e.g. to invalidate the filter's key cache. */
  onChange?: (change: KeyChange) => void;
  /** Prefix of generated keys. Default `sk-dgp-`. */
  keyPrefix?: string;
  /** The budgets of a subject in their current window (GET /admin/v1/budgets); undefined: no such subject. */
  budgets?: (scope: BudgetScope, id: string) => Promise<BudgetStatus[] | undefined>;
}

type Kind = 'team' | 'user';

export class KeyAdminOps {
  constructor(readonly opts: KeyAdminOptions) {}

  get store(): KeyStore {
    return this.opts.store;
  }
  now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Spend of a key, team or user in its current budget window (lifetime without one), nano-USD. */
  async spendOf(scope: 'key' | 'team' | 'user', r: BudgetedRecord): Promise<number> {
    const now = this.now();
    const { start, end } = r.budget_duration ? budgetWindow(r.budget_duration, now) : { start: 0, end: now + 1 };
    return this.store.sumSpend({ scope, id: r.id, from: start, to: end });
  }

  /** A key by id, plaintext or hash; 404 otherwise. */
  async findKey(ref: string): Promise<KeyRecord> {
    const byId = await this.store.getKey(ref);
    const found = byId ?? (await this.store.getKeyByHash(hashKey(ref))) ?? (/^[0-9a-f]{64}$/.test(ref) ? await this.store.getKeyByHash(ref) : undefined);
    if (!found) throw keysAdminNotFound('no such key');
    return found;
  }

  async createKey(actor: Actor, input: Omit<NewKey, 'hash' | 'display_prefix'>): Promise<{ record: KeyRecord; plaintext: string }> {
    const g = generateKey(this.opts.keyPrefix);
    const record = await this.store.createKey({ ...input, hash: g.hash, display_prefix: g.displayPrefix });
    this.changed(actor, 'key.create', 'key', record.id, null, record);
    return { record, plaintext: g.plaintext };
  }

  async updateKey(actor: Actor, ref: string, patch: KeyPatch): Promise<KeyRecord> {
    const before = await this.findKey(ref);
    const after = (await this.store.updateKey(before.id, patch)) ?? notFound('key');
    this.changed(actor, 'key.update', 'key', before.id, before, after, before.hash);
    return after;
  }

  async rotateKey(actor: Actor, ref: string): Promise<{ record: KeyRecord; plaintext: string }> {
    const before = await this.findKey(ref);
    const g = generateKey(this.opts.keyPrefix);
    const record = (await this.store.rotateKey(before.id, g.hash, g.displayPrefix)) ?? notFound('key');
    this.changed(actor, 'key.rotate', 'key', before.id, before, record, before.hash);
    return { record, plaintext: g.plaintext };
  }

  async blockKey(actor: Actor, ref: string, blocked: boolean): Promise<KeyRecord> {
    const before = await this.findKey(ref);
    const after = (await this.store.setKeyBlocked(before.id, blocked)) ?? notFound('key');
    this.changed(actor, blocked ? 'key.block' : 'key.unblock', 'key', before.id, before, after, before.hash);
    return after;
  }

  async deleteKey(actor: Actor, ref: string): Promise<KeyRecord> {
    const before = await this.findKey(ref);
    if (!(await this.store.deleteKey(before.id))) notFound('key');
    this.changed(actor, 'key.delete', 'key', before.id, before, null, before.hash);
    return before;
  }

  async get(kind: Kind, id: string) {
    const found = kind === 'team' ? await this.store.getTeam(id) : await this.store.getUser(id);
    return found ?? notFound(kind);
  }

  async create(actor: Actor, kind: Kind, input: NewBudgeted) {
    const record = kind === 'team' ? await this.store.createTeam(input) : await this.store.createUser(input);
    this.changed(actor, `${kind}.create`, kind, record.id, null, record);
    return record;
  }

  async update(actor: Actor, kind: Kind, id: string, patch: BudgetedPatch) {
    const before = await this.get(kind, id);
    const after = (kind === 'team' ? await this.store.updateTeam(id, patch) : await this.store.updateUser(id, patch)) ?? notFound(kind);
    this.changed(actor, `${kind}.update`, kind, id, before, after);
    return after;
  }

  async remove(actor: Actor, kind: Kind, id: string) {
    const before = await this.get(kind, id);
    const ok = kind === 'team' ? await this.store.deleteTeam(id) : await this.store.deleteUser(id);
    if (!ok) notFound(kind);
    this.changed(actor, `${kind}.delete`, kind, id, before, null);
    return before;
  }

  private changed(actor: Actor, action: string, type: KeyChange['type'], id: string, before: object | null, after: object | null, hash?: string): void {
    logMutation(this.opts.log, actor, { action, target: { type, id }, before, after });
    this.opts.onChange?.(hash === undefined ? { type, id } : { type, id, hash });
  }
}

function notFound(what: string): never {
  throw keysAdminNotFound(`no such ${what}`);
}
