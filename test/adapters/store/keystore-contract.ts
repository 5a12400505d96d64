// The one KeyStore contract suite every store adapter runs (SQLite and PostgreSQL today): keys, teams and users
// CRUD, rotation, blocking, keyset pagination, and the spend ledger's exactly-once append, sums and reports.
import type { Test } from 'tap';
import { budgetWindow } from '../../../core/llm/index.js';
import { LedgerWriter } from '../../../filters/llm/keys/ledger-writer.js';
import { generateKey } from '../../../filters/llm/keys/key-material.js';
import type { KeyStore, SpendRow } from '../../../core/llm/index.js';

export interface StoreFactory {
  /** Opens a store on fresh, empty storage; `now` is the store's clock. */
  fresh(now: () => number): Promise<KeyStore>;
}

export function spendRow(n: number, over: Partial<SpendRow> = {}): SpendRow {
  return {
    request_id: `req-${n}`, ts: 1_000_000 + n, key_id: 'k1', team_id: 't1', user_id: 'u1', end_user: null,
    model: 'gpt-4o-mini', provider: 'openai', endpoint: 'ep1', route: 'chat', input_tokens: 10, output_tokens: 5,
    cache_read_tokens: 2, cache_write_tokens: 0, reasoning_tokens: 1, cost_nanos: 1000, cache: 'miss', status: 200,
    ...over,
  };
}

export function storeContract(t: Test, factory: StoreFactory): void {
  let clock = 1_700_000_000_000;
  const now = () => clock;
  let store: KeyStore;
  t.beforeEach(async () => {
    store = await factory.fresh(now);
  });
  t.afterEach(() => store.close());

  t.test('a created key is found by id and by hash in one lookup; unknown hashes are not', async (t) => {
    const k = generateKey();
    const rec = await store.createKey({ hash: k.hash, display_prefix: k.displayPrefix, alias: 'a', models: ['gpt-4o', 'claude-*'] });
    t.match(rec, { hash: k.hash, alias: 'a', blocked: false, team_id: null, routes: [], metadata: {}, created_at: clock });
    t.same(await store.getKey(rec.id), rec);
    t.same(await store.getKeyByHash(k.hash), rec);
    t.equal(await store.getKeyByHash(generateKey().hash), undefined);
    t.equal(await store.getKey('nope'), undefined);
    t.same((await store.createTeam({ id: 'z', models: undefined, alias: undefined })).models, [], 'undefined keeps the default');
    t.same((await store.getTeam('z'))?.models, []);
  });

  t.test('every key field round-trips', async (t) => {
    const k = generateKey();
    const input = {
      id: 'key-full', hash: k.hash, display_prefix: k.displayPrefix, alias: 'full', team_id: 't1', user_id: 'u1',
      models: ['gpt-4o-mini', 'claude-*'], routes: ['chat', 'embeddings'], metadata: { env: 'prod', n: 3, nested: { a: [1] } },
      expires_at: 1_800_000_000_000, blocked: true, max_budget_nanos: 10_000_000_000, budget_duration: '1d' as const,
      soft_budget_nanos: 8_000_000_000, rpm: 600, tpm: 200_000, max_parallel_requests: 4,
      model_budgets: { 'gpt-4o': { max_budget_nanos: 1_000_000_000, budget_duration: '1mo' as const } },
      priority: -7, model_limits: { 'gpt-4o*': { rpm: 10, tpm: null }, 'claude-3-5-haiku': { rpm: null, tpm: 5000 } },
    };
    const rec = await store.createKey(input);
    t.same(await store.getKey('key-full'), { ...input, created_at: clock, updated_at: clock });
    t.same(rec, await store.getKeyByHash(k.hash));
  });

  t.test('a duplicate hash or id is a 409 conflict', async (t) => {
    const k = generateKey();
    await store.createKey({ id: 'k1', hash: k.hash, display_prefix: k.displayPrefix });
    await t.rejects(store.createKey({ hash: k.hash, display_prefix: 'x' }), { code: 'DGP_ERR_KEYSTORE_CONFLICT', status: 409 });
    await t.rejects(store.createKey({ id: 'k1', hash: generateKey().hash, display_prefix: 'x' }), { code: 'DGP_ERR_KEYSTORE_CONFLICT' });
    await store.createTeam({ id: 't1' });
    await t.rejects(store.createTeam({ id: 't1' }), { code: 'DGP_ERR_KEYSTORE_CONFLICT' });
  });

  t.test('update changes the given fields and updated_at; bad fields are 400s', async (t) => {
    const k = generateKey();
    const rec = await store.createKey({ hash: k.hash, display_prefix: k.displayPrefix, alias: 'old', rpm: 5 });
    clock += 1000;
    const up = await store.updateKey(rec.id, { alias: 'new', models: ['x-*'], max_budget_nanos: 42, metadata: { a: 1 } });
    t.match(up, { alias: 'new', models: ['x-*'], max_budget_nanos: 42, rpm: 5, metadata: { a: 1 }, created_at: clock - 1000, updated_at: clock });
    t.same(await store.getKeyByHash(k.hash), up);
    t.match(await store.getKey(rec.id), { priority: null, model_limits: {} }, 'priority and model_limits default to none');
    const pr = await store.updateKey(rec.id, { priority: 5, model_limits: { 'gpt-4o*': { rpm: 2, tpm: null } } });
    t.match(pr, { priority: 5, model_limits: { 'gpt-4o*': { rpm: 2, tpm: null } }, alias: 'new' });
    t.same(await store.getKeyByHash(k.hash), pr);
    t.equal(await store.updateKey('missing', { alias: 'x' }), undefined);
    await t.rejects(store.updateKey(rec.id, { hash: 'x' } as never), { code: 'DGP_ERR_KEYSTORE_INVALID', status: 400 });
    await t.rejects(store.updateKey(rec.id, { bogus: 1 } as never), { code: 'DGP_ERR_KEYSTORE_INVALID' });
    await t.rejects(store.updateKey(rec.id, { max_budget_nanos: 1.5 }), { code: 'DGP_ERR_KEYSTORE_INVALID' });
  });

  t.test('rotate replaces the hash: the old key stops resolving at once', async (t) => {
    const [a, b, c] = [generateKey(), generateKey(), generateKey()];
    const rec = await store.createKey({ hash: a.hash, display_prefix: a.displayPrefix, alias: 'r' });
    await store.createKey({ hash: c.hash, display_prefix: c.displayPrefix });
    const rotated = await store.rotateKey(rec.id, b.hash, b.displayPrefix);
    t.match(rotated, { id: rec.id, hash: b.hash, display_prefix: b.displayPrefix, alias: 'r' });
    t.equal(await store.getKeyByHash(a.hash), undefined);
    t.match(await store.getKeyByHash(b.hash), { id: rec.id });
    await t.rejects(store.rotateKey(rec.id, c.hash, 'x'), { code: 'DGP_ERR_KEYSTORE_CONFLICT' });
    t.equal(await store.rotateKey('missing', generateKey().hash, 'x'), undefined);
  });

  t.test('block, unblock and delete', async (t) => {
    const k = generateKey();
    const rec = await store.createKey({ hash: k.hash, display_prefix: k.displayPrefix });
    t.equal((await store.setKeyBlocked(rec.id, true))?.blocked, true);
    t.equal((await store.getKeyByHash(k.hash))?.blocked, true);
    t.equal((await store.setKeyBlocked(rec.id, false))?.blocked, false);
    t.equal(await store.deleteKey(rec.id), true);
    t.equal(await store.deleteKey(rec.id), false);
    t.equal(await store.getKeyByHash(k.hash), undefined);
  });

  t.test('lists page by id with a cursor and filter by team and user', async (t) => {
    for (let i = 0; i < 25; i++) {
      const k = generateKey();
      await store.createKey({ id: `key-${String(i).padStart(2, '0')}`, hash: k.hash, display_prefix: k.displayPrefix, team_id: i % 2 ? 'odd' : 'even', user_id: i < 5 ? 'u' : null });
    }
    const seen: string[] = [];
    let after: string | undefined;
    const sizes: number[] = [];
    do {
      const page = await store.listKeys({ limit: 10, ...(after ? { after } : {}) });
      sizes.push(page.items.length);
      seen.push(...page.items.map((k) => k.id));
      after = page.next;
    } while (after !== undefined);
    t.same(sizes, [10, 10, 5]);
    t.same(seen, Array.from({ length: 25 }, (_, i) => `key-${String(i).padStart(2, '0')}`));
    t.equal((await store.listKeys({ team_id: 'odd' })).items.length, 12);
    t.same((await store.listKeys({ user_id: 'u', team_id: 'even' })).items.map((k) => k.id), ['key-00', 'key-02', 'key-04']);
    t.same(await store.listKeys({ limit: 25 }).then((p) => [p.items.length, p.next]), [25, undefined]);
    await t.rejects(store.listKeys({ limit: 0 }), { code: 'DGP_ERR_KEYSTORE_INVALID' });
  });

  t.test('teams and users: create, get, update, list, delete', async (t) => {
    const team = await store.createTeam({ id: 'a', alias: 'Team A', max_budget_nanos: 5_000_000_000, budget_duration: '1mo', models: ['gpt-*'] });
    t.match(await store.getTeam('a'), { alias: 'Team A', max_budget_nanos: 5_000_000_000, budget_duration: '1mo', team_id: null });
    t.same(await store.getTeam('a'), team);
    const user = await store.createUser({ id: 'alice', team_id: 'a', soft_budget_nanos: 7, tpm: 1000 });
    t.match(await store.getUser('alice'), { team_id: 'a', soft_budget_nanos: 7, tpm: 1000 });
    t.same(await store.getUser('alice'), user);
    clock += 5;
    t.match(await store.updateTeam('a', { blocked: true, rpm: 10 }), { blocked: true, rpm: 10, updated_at: clock });
    t.match(await store.updateUser('alice', { max_budget_nanos: 99 }), { max_budget_nanos: 99 });
    await store.createUser({ id: 'bob' });
    t.same((await store.listUsers({ team_id: 'a' })).items.map((u) => u.id), ['alice']);
    t.same((await store.listUsers()).items.map((u) => u.id), ['alice', 'bob']);
    t.same((await store.listTeams()).items.map((u) => u.id), ['a']);
    t.equal(await store.deleteUser('bob'), true);
    t.equal(await store.deleteTeam('a'), true);
    t.equal(await store.getTeam('a'), undefined);
    t.equal(await store.deleteTeam('a'), false);
  });

  t.test('the ledger stores a request id exactly once', async (t) => {
    t.equal(await store.appendSpend([spendRow(1), spendRow(2)]), 2);
    t.equal(await store.appendSpend([spendRow(2, { cost_nanos: 999_999 }), spendRow(3)]), 1);
    t.equal(await store.appendSpend([spendRow(4), spendRow(4)]), 1, 'a duplicate within one batch counts once');
    t.equal(await store.appendSpend([]), 0);
    t.equal(await store.sumSpend({ scope: 'key', id: 'k1', from: 0, to: 2e6 }), 4000);
    await t.rejects(store.appendSpend([spendRow(9, { cost_nanos: 0.5 })]), { code: 'DGP_ERR_KEYSTORE_INVALID' });
  });

  t.test('sumSpend covers [from, to) of one scope, optionally one model', async (t) => {
    await store.appendSpend([
      spendRow(1, { ts: 100, cost_nanos: 1 }),
      spendRow(2, { ts: 200, cost_nanos: 10, model: 'claude-3', end_user: 'eu' }),
      spendRow(3, { ts: 300, cost_nanos: 100, key_id: 'k2', team_id: 't2', user_id: 'u2' }),
      spendRow(4, { ts: 400, cost_nanos: 9_000_000_000_000 }),
    ]);
    t.equal(await store.sumSpend({ scope: 'key', id: 'k1', from: 100, to: 400 }), 11, 'to is exclusive');
    t.equal(await store.sumSpend({ scope: 'key', id: 'k1', from: 101, to: 401 }), 9_000_000_000_010, 'from is inclusive');
    t.equal(await store.sumSpend({ scope: 'team', id: 't2', from: 0, to: 1000 }), 100);
    t.equal(await store.sumSpend({ scope: 'user', id: 'u1', from: 0, to: 300 }), 11);
    t.equal(await store.sumSpend({ scope: 'end_user', id: 'eu', from: 0, to: 1000 }), 10);
    t.equal(await store.sumSpend({ scope: 'model', id: 'claude-3', from: 0, to: 1000 }), 10);
    t.equal(await store.sumSpend({ scope: 'key', id: 'k1', from: 0, to: 1000, model: 'gpt-4o-mini' }), 9_000_000_000_001);
    t.equal(await store.sumSpend({ scope: 'key', id: 'none', from: 0, to: 1000 }), 0);
    await t.rejects(store.sumSpend({ scope: 'bogus' as never, id: 'x', from: 0, to: 1 }), { code: 'DGP_ERR_KEYSTORE_INVALID' });
  });

  t.test('a restart rebuilds the current window of a budget from the ledger', async (t) => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    await store.appendSpend([
      spendRow(1, { ts: Date.parse('2026-12-05T23:59:59.999Z'), cost_nanos: 1 }),
      spendRow(2, { ts: Date.parse('2026-12-06T00:00:00Z'), cost_nanos: 20 }),
      spendRow(3, { ts: Date.parse('2026-12-06T09:59:00Z'), cost_nanos: 300 }),
      spendRow(4, { ts: Date.parse('2026-11-30T12:00:00Z'), cost_nanos: 4000 }),
    ]);
    const day = budgetWindow('1d', now);
    const month = budgetWindow('1mo', now);
    t.equal(await store.sumSpend({ scope: 'key', id: 'k1', from: day.start, to: day.end }), 320);
    t.equal(await store.sumSpend({ scope: 'key', id: 'k1', from: month.start, to: month.end }), 321);
  });

  t.test('spendReport groups by key, team, user or model, largest cost first', async (t) => {
    await store.appendSpend([
      spendRow(1, { cost_nanos: 5, input_tokens: 1, output_tokens: 2, cache_read_tokens: 3, cache_write_tokens: 4, reasoning_tokens: 5 }),
      spendRow(2, { cost_nanos: 7, key_id: 'k2', model: 'claude-3' }),
      spendRow(5, { cost_nanos: 0, key_id: 'k2', cache: 'hit', cache_saved_nanos: 7 }),
      spendRow(3, { cost_nanos: 1, key_id: null, team_id: null, user_id: null }),
      spendRow(4, { cost_nanos: 100, ts: 5_000_000 }),
    ]);
    const byKey = await store.spendReport({ group_by: 'key', from: 0, to: 2_000_000 });
    t.same(byKey.map((r) => [r.group, r.requests, r.cost_nanos, r.cache_saved_nanos]), [['k2', 2, 7, 7], ['k1', 1, 5, 0], [null, 1, 1, 0]], 'a row without cache_saved_nanos saved 0');
    t.match(byKey[1], { input_tokens: 1, output_tokens: 2, cache_read_tokens: 3, cache_write_tokens: 4, reasoning_tokens: 5 });
    const byModel = await store.spendReport({ group_by: 'model', from: 0, to: 1e7 });
    t.same(byModel.map((r) => [r.group, r.requests, r.cost_nanos]), [['gpt-4o-mini', 4, 106], ['claude-3', 1, 7]]);
    t.same((await store.spendReport({ group_by: 'team', from: 0, to: 1e7 })).map((r) => r.group), ['t1', null]);
    t.same(await store.spendReport({ group_by: 'user', from: 0, to: 1 }), []);
  });

  t.test('the batched writer puts every row in once, even when rows are reported twice', async (t) => {
    const writer = new LedgerWriter(store, { maxBatch: 100, intervalMs: 20 });
    for (let i = 0; i < 1234; i++) writer.enqueue(spendRow(i, { cost_nanos: 3 }));
    for (let i = 0; i < 50; i++) writer.enqueue(spendRow(i, { cost_nanos: 1_000_000 }));
    await writer.close();
    t.match(writer.stats, { queued: 0, flushed: 1284, duplicates: 50, dropped: 0, failedWrites: 0 });
    t.equal(await store.sumSpend({ scope: 'team', id: 't1', from: 0, to: 1e7 }), 1234 * 3);
    t.equal(writer.enqueue(spendRow(5000)), false, 'a closed writer refuses rows');
  });
}
