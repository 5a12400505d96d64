// The key-management admin API through a real gateway on a SQLite key store: native REST, LiteLLM aliases, auth,
// validation, the audit record (with no secret anywhere in the log) and the spend report from the ledger.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { openSqliteStore } from '../../../../../adapters/store/sqlite/sqlite-store.js';
import { hashKey } from '../../../../../filters/llm/keys/key-material.js';
import type { SpendRow } from '../../../../../core/llm/index.js';
import { MASTER, TOKEN, mutations, startKeyAdmin } from './key-admin-setup.js';

async function setup(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-keyadmin-'));
  const path = join(dir, 'keys.db');
  const { g, call } = await startKeyAdmin({ sqlite_path: path });
  const store = openSqliteStore({ path });
  t.teardown(async () => {
    await store.close();
    await g.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { g, call, store };
}

t.test('native keys: plaintext once, only the hash stored, update, rotate, block, delete, audit without secrets', async (t) => {
  const { g, call, store } = await setup(t);
  const created = await call('POST', '/admin/v1/keys', { alias: 'ci', models: ['gpt-4o'], max_budget_usd: 0.1, budget_duration: '1d', rpm: 60 });
  t.equal(created.status, 201);
  const { id, key } = created.body;
  t.match(key, /^sk-dgp-[0-9A-Za-z]{43}$/, 'the plaintext is in the create answer');
  t.match(created.body, { alias: 'ci', max_budget_nanos: 100_000_000, max_budget_usd: 0.1, display_prefix: `${key.slice(0, 11)}…` });
  t.notOk('hash' in created.body, 'no hash on the wire');

  const stored = await store.getKey(id);
  t.equal(stored?.hash, hashKey(key), 'the store has the SHA-256');
  t.notOk(JSON.stringify(stored).includes(key), 'and never the plaintext');

  const info = await call('GET', `/admin/v1/keys/${id}`);
  t.match(info, { status: 200, body: { id, alias: 'ci', rpm: 60 } });
  const list = await call('GET', '/admin/v1/keys?limit=10');
  t.equal(list.body.items.length, 1);
  for (const shown of [info, list]) {
    t.notOk(JSON.stringify(shown.body).includes(key), 'info and list never show the plaintext');
    t.notOk(JSON.stringify(shown.body).includes(stored!.hash), 'nor the hash');
  }

  t.match(await call('PATCH', `/admin/v1/keys/${id}`, { rpm: 120, alias: 'ci-2' }), { status: 200, body: { rpm: 120, alias: 'ci-2' } });
  const rotated = await call('POST', `/admin/v1/keys/${id}/rotate`);
  t.equal(rotated.status, 200);
  t.not(rotated.body.key, key, 'a new plaintext');
  t.equal(await store.getKeyByHash(hashKey(key)), undefined, 'the old key no longer resolves');
  t.equal((await store.getKeyByHash(hashKey(rotated.body.key)))?.id, id);
  t.match(await call('POST', `/admin/v1/keys/${id}/block`), { status: 200, body: { blocked: true } });
  t.match(await call('POST', `/admin/v1/keys/${id}/unblock`), { status: 200, body: { blocked: false } });
  t.match(await call('DELETE', `/admin/v1/keys/${id}`), { status: 200, body: { deleted: id } });
  t.match(await call('GET', `/admin/v1/keys/${id}`), { status: 404, body: { error: { code: 'DGP_ERR_KEYS_ADMIN_NOT_FOUND' } } });

  const audit = mutations(g);
  t.same(audit.map((m) => m.action), ['key.create', 'key.update', 'key.rotate', 'key.block', 'key.unblock', 'key.delete']);
  t.match(audit[1], { event: 'admin_mutation', actor: 'master-key', remote: '127.0.0.1', target: { type: 'key', id }, before: { rpm: 60, alias: 'ci' }, after: { rpm: 120, alias: 'ci-2' }, changes: { rpm: { before: 60, after: 120 }, alias: { before: 'ci', after: 'ci-2' } } });
  t.match(audit[2].changes, { display_prefix: { before: created.body.display_prefix, after: rotated.body.display_prefix } });
  t.same(Object.keys(audit[1].changes as object).sort(), ['alias', 'rpm'], 'the diff names only what changed');
  const everything = JSON.stringify(g.logs);
  for (const secret of [key, hashKey(key), rotated.body.key, hashKey(rotated.body.key), MASTER]) {
    t.equal(everything.split(secret).length - 1, 0, 'no plaintext, hash or master key anywhere in the log');
  }
});

t.test('auth: wrong or missing master key is 401; the admin token is accepted and named as the actor', async (t) => {
  const { g, call } = await setup(t);
  t.match(await call('GET', '/admin/v1/keys', undefined, { authorization: 'Bearer sk-wrong' }), { status: 401, body: { error: { code: 'DGP_ERR_KEYS_ADMIN_UNAUTHORIZED', message: /master key/ } } });
  t.match(await call('POST', '/key/generate', {}, { authorization: 'Bearer sk-wrong' }), { status: 401, body: { error: { code: 'DGP_ERR_KEYS_ADMIN_UNAUTHORIZED' } } });
  t.match(await call('GET', '/admin/v1/keys', undefined, {}), { status: 401 }, 'no Authorization at all');
  const byToken = await call('POST', '/admin/v1/teams', { id: 'team-a' }, { authorization: `Bearer ${TOKEN}` });
  t.match(byToken, { status: 201, body: { id: 'team-a' } });
  t.match(mutations(g)[0], { actor: 'admin-token', action: 'team.create', target: { type: 'team', id: 'team-a' } });
  t.equal(mutations(g).length, 1, 'refused calls mutate nothing');
});

t.test('validation: unknown and unsupported fields are named; conflicts are 409', async (t) => {
  const { call } = await setup(t);
  t.match(await call('POST', '/admin/v1/keys', { alias: 'x', colour: 'red' }), { status: 400, body: { error: { code: 'DGP_ERR_KEYS_ADMIN_INVALID', message: /unknown field\(s\): colour/ } } });
  t.match(await call('POST', '/key/generate', { model_max_budget: { 'gpt-4o': 1 }, wat: 1 }), { status: 400, body: { error: { message: /LiteLLM field\(s\) not supported by this gateway: model_max_budget; unknown field\(s\): wat/ } } });
  t.match(await call('POST', '/admin/v1/keys', { rpm: -1 }), { status: 400, body: { error: { message: /\/rpm/ } } });
  t.match(await call('POST', '/admin/v1/keys', { max_budget_usd: 1, max_budget_nanos: 5 }), { status: 400, body: { error: { message: /give one of them/ } } });
  t.match(await call('POST', '/key/generate', { max_budget: 0.0000000001 }), { status: 400, body: { error: { message: /more than 9 decimals/ } } });
  t.match(await call('POST', '/key/generate', { budget_duration: '2d' }), { status: 400, body: { error: { message: /budget_duration/ } } });
  t.match(await call('POST', '/admin/v1/users', { id: 'u1' }), { status: 201 });
  t.match(await call('POST', '/admin/v1/users', { id: 'u1' }), { status: 409, body: { error: { code: 'DGP_ERR_KEYSTORE_CONFLICT' } } });
  t.match(await call('GET', '/admin/v1/spend?group_by=colour'), { status: 400, body: { error: { message: /group_by/ } } });
});

t.test('LiteLLM flow: generate, info, update, block, unblock, regenerate, delete with LiteLLM field names', async (t) => {
  const { g, call, store } = await setup(t);
  t.match(await call('POST', '/team/new', { team_id: 'eng', team_alias: 'Engineering', max_budget: 100, tpm_limit: 10000 }), { status: 200, body: { team_id: 'eng', team_alias: 'Engineering', max_budget: 100, tpm_limit: 10000 } });
  const gen = await call('POST', '/key/generate', {
    models: ['gpt-4o'], max_budget: 10.5, budget_duration: '30d', key_alias: 'bot', team_id: 'eng', metadata: { env: 'ci' },
    tpm_limit: 1000, rpm_limit: 10, max_parallel_requests: 2, soft_budget: 8, blocked: false, duration: '30d',
  });
  t.equal(gen.status, 200);
  const key: string = gen.body.key;
  t.match(gen.body, { key: /^sk-dgp-/, key_alias: 'bot', team_id: 'eng', models: ['gpt-4o'], max_budget: 10.5, soft_budget: 8, budget_duration: '30d', tpm_limit: 1000, rpm_limit: 10, max_parallel_requests: 2, metadata: { env: 'ci' }, blocked: false, spend: 0 });
  t.ok(Math.abs(Date.parse(gen.body.expires) - (Date.now() + 30 * 86_400_000)) < 60_000, 'expires is ISO, duration from now');
  const id: string = gen.body.token;
  t.equal((await store.getKey(id))?.max_budget_nanos, 10_500_000_000, 'USD floats become exact nano-USD');

  await store.appendSpend([{ ...row('r1', id, 'eng', 'gpt-4o', 1_250_000_000), ts: Date.now() }]);
  for (const ref of [key, hashKey(key), id]) {
    const info = await call('GET', `/key/info?key=${encodeURIComponent(ref)}`);
    t.match(info, { status: 200, body: { key: id, info: { key_alias: 'bot', spend: 1.25, max_budget: 10.5, team_id: 'eng', models: ['gpt-4o'] } } }, 'by plaintext, hash or id');
    t.notOk(JSON.stringify(info.body).includes(key), 'info never shows the plaintext');
  }
  t.match(await call('POST', '/key/update', { key, max_budget: 20, rpm_limit: 50, key_alias: 'bot-2' }), { status: 200, body: { max_budget: 20, rpm_limit: 50, key_alias: 'bot-2', token: id } });
  t.match(await call('POST', '/key/block', { key }), { status: 200, body: { blocked: true } });
  t.match(await call('POST', '/key/unblock', { key: id }), { status: 200, body: { blocked: false } });
  const regen = await call('POST', '/key/regenerate', { key });
  t.match(regen, { status: 200, body: { key: /^sk-dgp-/, token: id, key_alias: 'bot-2' } });
  t.match(await call('GET', `/key/info?key=${key}`), { status: 404 }, 'the old plaintext is dead');
  t.match(await call('GET', '/key/list'), { status: 200, body: { keys: [id], total_count: 1, current_page: 1, total_pages: 1 } });
  t.match(await call('GET', '/team/info?team_id=eng'), { status: 200, body: { team_id: 'eng', team_info: { team_alias: 'Engineering', spend: 1.25 }, keys: [{ token: id }] } });
  t.match(await call('POST', '/key/delete', { keys: [regen.body.key] }), { status: 200, body: { deleted_keys: [id] } });
  t.match(await call('GET', '/key/list'), { body: { keys: [], total_count: 0 } });

  const user = await call('POST', '/user/new', { user_id: 'ann', max_budget: 5, team_id: 'eng' });
  t.match(user, { status: 200, body: { user_id: 'ann', max_budget: 5, key: /^sk-dgp-/ } }, '/user/new also mints a key, as LiteLLM does');
  t.equal((await store.getKey(user.body.token))?.user_id, 'ann');
  t.match(await call('GET', '/spend/logs'), { status: 200, body: [{ api_key: id, spend: 1.25, requests: 1 }] });

  t.same(mutations(g).map((m) => m.action), ['team.create', 'key.create', 'key.update', 'key.block', 'key.unblock', 'key.rotate', 'key.delete', 'user.create', 'key.create']);
  t.equal(g.logs.filter((l) => l.event === 'key_change').length, 9, 'the filter hears of every mutation');
  const everything = JSON.stringify(g.logs);
  for (const secret of [key, hashKey(key), regen.body.key, hashKey(regen.body.key), user.body.key]) t.notOk(everything.includes(secret), 'no secret in the log');
});

t.test('spend report groups ledger rows by key, team and model over [from, to)', async (t) => {
  const { call, store } = await setup(t);
  const day = Date.parse('2026-03-01T00:00:00Z');
  await store.appendSpend([
    { ...row('a', 'k1', 't1', 'gpt-4o', 1_000_000_000), ts: day + 1000 },
    { ...row('b', 'k1', 't1', 'claude', 500_000_000), ts: day + 2000 },
    { ...row('c', 'k2', 't1', 'gpt-4o', 250_000_000), ts: day + 3000 },
    { ...row('d', 'k2', null, 'gpt-4o', 7_000_000_000), ts: day + 86_400_000 },
  ]);
  const byKey = await call('GET', `/admin/v1/spend?group_by=key&from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z`);
  t.match(byKey, { status: 200, body: { group_by: 'key', from: day, to: day + 86_400_000 } });
  t.same(byKey.body.rows.map((r: any) => [r.group, r.requests, r.cost_nanos, r.cost_usd]), [['k1', 2, 1_500_000_000, 1.5], ['k2', 1, 250_000_000, 0.25]]);
  const byModel = await call('GET', `/admin/v1/spend?group_by=model&from=${day}&to=${day + 2 * 86_400_000}`);
  t.same(byModel.body.rows.map((r: any) => [r.group, r.requests, r.cost_nanos]), [['gpt-4o', 3, 8_250_000_000], ['claude', 1, 500_000_000]]);
  const byTeam = await call('GET', `/admin/v1/spend?group_by=team&from=${day}&to=${day + 2 * 86_400_000}`);
  t.same(byTeam.body.rows.map((r: any) => [r.group, r.cost_nanos]), [[null, 7_000_000_000], ['t1', 1_750_000_000]]);
  t.match(await call('GET', '/admin/v1/spend?from=yesterday'), { status: 400, body: { error: { message: /from: "yesterday"/ } } });
});

function row(id: string, key: string, team: string | null, model: string, cost: number): Omit<SpendRow, 'ts'> {
  return {
    request_id: id, key_id: key, team_id: team, user_id: null, end_user: null, model, provider: 'openai', endpoint: 'e1', route: 'r',
    input_tokens: 10, output_tokens: 5, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost_nanos: cost, cache: null, status: 200,
  };
}
