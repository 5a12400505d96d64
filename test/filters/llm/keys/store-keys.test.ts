// Keys in a key store, through the real host: a key created in SQLite (file relative to the config dir) or in a real
// PostgreSQL resolves to its principal; once blocked or deleted in the store it is refused as soon as the cached
// lookup expires (cache.ttl_ms); /ready shows the store; an adapter id that is no key store fails the load.
import OpenAI from 'openai';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { KeyStore } from '../../../../core/llm/index.js';
import { openPostgresStore } from '../../../../adapters/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../../../adapters/store/sqlite/sqlite-store.js';
import { displayPrefixOf, hashKey } from '../../../../filters/llm/keys/key-material.js';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway, type TestGateway } from '../../../helpers/gateway.js';
import { startPostgres } from '../../../helpers/postgres-server.js';
import { keysGatewayYaml, wireOf } from './helpers.js';
import type { TapTest } from '../../../helpers/conformance.js';

const TTL = 200;
const KEYS = `                    store: keystore
                    cache: {ttl_ms: ${TTL}, negative_ttl_ms: 100}
                    keys:
                      - {key: sk-static-one, alias: static-one}
`;
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

async function exercise(t: TapTest, g: TestGateway, store: KeyStore, up: { requests: Array<{ headers: object; path: string; query: URLSearchParams }> }): Promise<void> {
  const plaintext = 'sk-dgp-store-CANARY-0001';
  const rec = await store.createKey({ id: 'k-1', hash: hashKey(plaintext), display_prefix: displayPrefixOf(plaintext), alias: 'from-store', team_id: 'team-s', models: ['gpt-*'] });
  const client = (key: string) => new OpenAI({ apiKey: key, baseURL: `${g.url()}/v1`, maxRetries: 0 });

  const ok = await client(plaintext).chat.completions.create(chat);
  t.equal(ok.choices[0]?.message.content, 'hello', 'the store key resolves');
  t.match(g.logs.filter((l) => l.type === 'access').at(-1), { key_id: rec.id, key_alias: 'from-store', team: 'team-s' });
  const denied = await client(plaintext).chat.completions.create({ ...chat, model: 'claude-3' }).catch((e: unknown) => e);
  t.ok(denied instanceof OpenAI.PermissionDeniedError, "the store key's models apply");
  t.ok(await client('sk-static-one').chat.completions.create(chat), 'static keys still work next to the store');

  await store.setKeyBlocked(rec.id, true);
  await sleep(TTL + 100);
  const blocked = await client(plaintext).chat.completions.create(chat).catch((e: unknown) => e);
  t.ok(blocked instanceof OpenAI.AuthenticationError, 'blocked in the store: refused once the cache TTL passed');
  t.equal((blocked as InstanceType<typeof OpenAI.APIError>).code, 'DGP_ERR_KEYS_BLOCKED');

  await store.deleteKey(rec.id);
  await sleep(TTL + 100);
  const gone = await client(plaintext).chat.completions.create(chat).catch((e: unknown) => e);
  t.equal((gone as InstanceType<typeof OpenAI.APIError>).code, 'DGP_ERR_KEYS_INVALID', 'deleted: unknown key');
  t.notMatch(wireOf(up.requests), /CANARY/, 'the virtual key never went upstream');
}

t.test('SQLite key store', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'hello' } });
  const adapters = '    - {id: keystore, name: dgp.adapter.store.sqlite, config: {path: data/keys.db}}\n';
  const g = await startGateway(keysGatewayYaml({ keys: KEYS, provider: 'openai', port: up.port, adapters }));
  const store = openSqliteStore({ path: join(g.dir, 'data/keys.db') });
  t.teardown(async () => (await store.close(), await g.close(), await up.close()));
  const ready = (await (await fetch(`${g.adminUrl}/ready`)).json()) as { detail: Record<string, unknown> };
  t.match(ready.detail[`dgp.adapter.store.sqlite:${join(g.dir, 'data/keys.db')}`], { ready: true });
  t.match(g.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('Keys:')), {
    msg: 'Keys: every request needs a client key (accepted: 1 static key, key store "keystore"); client keys are never sent upstream.',
  });
  await exercise(t, g, store, up);
});

t.test('PostgreSQL key store', async (t) => {
  const pg = await startPostgres();
  t.teardown(() => pg.close());
  const url = await pg.createDatabase('keysfilter');
  const up = await startMockOpenAi({ reply: { text: 'hello' } });
  const adapters = `    - {id: keystore, name: dgp.adapter.store.postgres, config: {url: "${url}", max_connections: 2}}\n`;
  const g = await startGateway(keysGatewayYaml({ keys: KEYS, provider: 'openai', port: up.port, adapters }));
  const store = await openPostgresStore({ url, maxConnections: 2 });
  t.teardown(async () => (await store.close(), await g.close(), await up.close()));
  const ready = (await (await fetch(`${g.adminUrl}/ready`)).json()) as { status: string; detail: Record<string, unknown> };
  t.equal(ready.status, 'ready');
  t.match(Object.entries(ready.detail).find(([k]) => k.startsWith('dgp.adapter.store.postgres:127.0.0.1:')), [String, { ready: true }]);
  await exercise(t, g, store, up);
});

t.test('store: an adapter that is no key store fails the load naming file:line and the known key stores', async (t) => {
  const adapters = '    - {id: keystore, name: dgp.adapter.store.memory}\n    - {id: ks2, name: dgp.adapter.store.sqlite, config: {path: ":memory:"}}\n';
  await t.rejects(startGateway(keysGatewayYaml({ keys: KEYS, provider: 'openai', port: 1, adapters })), {
    message: /conf\.yaml:\d+[\s\S]*adapter "keystore" is dgp\.adapter\.store\.memory, not a key store \(known key store ids: ks2\)/,
  });
  const none = keysGatewayYaml({ keys: KEYS.replace('store: keystore', 'store: nope'), provider: 'openai', port: 1, adapters });
  await t.rejects(startGateway(none), { message: /conf\.yaml:\d+[\s\S]*no adapter with id "nope"/ });
});
