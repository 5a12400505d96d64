// The keys filter mounts the key API when master_key is set: a key minted with LiteLLM's /key/generate works at once
// through the gateway, and blocking it takes effect at once (the admin change drops the cached lookup; the cache TTL
// here is a minute, so only the invalidation can explain the 401). master_key without a store fails the load.
import OpenAI from 'openai';
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { keysGatewayYaml, wireOf } from './helpers.js';

const MASTER = 'sk-master-0123456789abcdef';
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

t.test('/key/generate → the key works; /key/block → refused at once', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'hello' } });
  const adapters = '    - {id: keystore, name: dgp.adapter.store.sqlite, config: {path: data/keys.db}}\n';
  const keys = `                    store: keystore
                    master_key: ${MASTER}
                    cache: {ttl_ms: 60000, negative_ttl_ms: 60000}
`;
  const g = await startGateway(keysGatewayYaml({ keys, provider: 'openai', port: up.port, adapters }));
  t.teardown(async () => (await g.close(), await up.close()));
  const admin = (path: string, body: object, auth = MASTER) =>
    fetch(`${g.adminUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const refused = await admin('/key/generate', { key_alias: 'x' }, 'sk-wrong-master-key-000000');
  t.equal(refused.status, 401, 'a wrong master key is refused');

  const gen = await admin('/key/generate', { key_alias: 'ci-bot', models: ['gpt-*'], max_budget: 5 });
  t.equal(gen.status, 200);
  const { key } = (await gen.json()) as { key: string };
  t.match(key, /^sk-dgp-/);

  const client = new OpenAI({ apiKey: key, baseURL: `${g.url()}/v1`, maxRetries: 0 });
  const ok = await client.chat.completions.create(chat);
  t.equal(ok.choices[0]?.message.content, 'hello', 'the new key works through the gateway at once');
  t.match(g.logs.filter((l) => l.type === 'access').at(-1), { key_alias: 'ci-bot' });

  t.equal((await admin('/key/block', { key })).status, 200);
  const blocked = await client.chat.completions.create(chat).catch((e: unknown) => e);
  t.ok(blocked instanceof OpenAI.AuthenticationError, 'blocked: refused without waiting for the cache TTL');
  t.equal((blocked as InstanceType<typeof OpenAI.APIError>).code, 'DGP_ERR_KEYS_BLOCKED');
  t.notMatch(wireOf(up.requests), key, 'the minted key never went upstream');
  t.notMatch(JSON.stringify(g.logs), key, 'the minted key is in no log line');
});

t.test('master_key without a store fails the load with the fix', async (t) => {
  const keys = `                    master_key: ${MASTER}
`;
  const err = await startGateway(keysGatewayYaml({ keys, provider: 'openai', port: 9 })).then(
    (g) => (g.close(), undefined),
    (e: unknown) => e as Error,
  );
  t.ok(err, 'the gateway does not start');
  t.match(String(err?.message), /master_key is set but no store/);
});
