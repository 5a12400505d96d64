// The key-management admin API through a real gateway on a real PostgreSQL 15: create (plaintext once, hash only
// in the database), info by plaintext and id, rotate (the old key dead), the LiteLLM generate/info/regenerate path.
import t from 'tap';
import { openPostgresStore } from '../../../../../adapters/store/postgres/postgres-store.js';
import { hashKey } from '../../../../../filters/llm/keys/key-material.js';
import { startPostgres } from '../../../../helpers/postgres-server.js';
import { mutations, startKeyAdmin } from './key-admin-setup.js';

const server = await startPostgres();
t.teardown(() => server.close());

t.test('create, info, rotate and the LiteLLM path on PostgreSQL', async (t) => {
  const url = await server.createDatabase('keyadmin');
  const { g, call } = await startKeyAdmin({ postgres_url: url });
  const store = await openPostgresStore({ url, maxConnections: 2 });
  t.teardown(async () => {
    await store.close();
    await g.close();
  });

  const created = await call('POST', '/admin/v1/keys', { alias: 'pg', max_budget_nanos: 50_000_000_000_000, models: ['gpt-4o'] });
  t.equal(created.status, 201);
  const { id, key } = created.body;
  t.match(created.body, { alias: 'pg', max_budget_nanos: 50_000_000_000_000, max_budget_usd: 50_000 });
  t.equal((await store.getKey(id))?.hash, hashKey(key), 'the database keeps the SHA-256');
  const info = await call('GET', `/admin/v1/keys/${id}`);
  t.match(info, { status: 200, body: { id, alias: 'pg' } });
  t.notOk(JSON.stringify(info.body).includes(key));

  const rotated = await call('POST', `/admin/v1/keys/${id}/rotate`, {});
  t.equal(rotated.status, 200);
  t.equal(await store.getKeyByHash(hashKey(key)), undefined, 'the old key no longer resolves');
  t.match(await call('GET', `/key/info?key=${rotated.body.key}`), { status: 200, body: { key: id, info: { key_alias: 'pg', max_budget: 50_000, spend: 0 } } });

  const gen = await call('POST', '/key/generate', { key_alias: 'lite', max_budget: 0.3, rpm_limit: 5 });
  t.match(gen, { status: 200, body: { key: /^sk-dgp-/, key_alias: 'lite', max_budget: 0.3, rpm_limit: 5 } });
  t.equal((await store.getKey(gen.body.token))?.max_budget_nanos, 300_000_000);
  const regen = await call('POST', '/key/regenerate', { key: gen.body.key });
  t.match(regen, { status: 200, body: { token: gen.body.token } });
  t.match(await call('GET', `/key/info?key=${gen.body.key}`), { status: 404 });
  t.match(await call('GET', `/key/info?key=${regen.body.key}`), { status: 200, body: { info: { key_alias: 'lite' } } });

  t.same(mutations(g).map((m) => m.action), ['key.create', 'key.rotate', 'key.create', 'key.rotate']);
  const everything = JSON.stringify(g.logs);
  for (const k of [key, rotated.body.key, gen.body.key, regen.body.key]) {
    t.notOk(everything.includes(k) || everything.includes(hashKey(k)), 'no plaintext or hash in the log');
  }
});
