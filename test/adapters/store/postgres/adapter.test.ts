// dgp.adapter.store.postgres as a host service: an unreachable server does not stop the gateway from starting;
// GET /ready answers 503 naming the server (never its password) and key lookups fail closed with 503
// DGP_ERR_KEYSTORE_UNAVAILABLE in the client's shape; once the server is up, the next attempt connects.
import { createServer, type Server } from 'node:net';
import t from 'tap';
import { startGateway } from '../../../helpers/gateway.js';
import { startPostgres } from '../../../helpers/postgres-server.js';
import { keysGatewayYaml } from '../../../filters/llm/keys/helpers.js';

async function deadPort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

t.test('unreachable PostgreSQL: /ready 503, lookups 503, no password shown', async (t) => {
  const port = await deadPort();
  const adapters = `    - {id: keystore, name: dgp.adapter.store.postgres, config: {url: "postgres://dgp:hunter2@127.0.0.1:${port}/dgp", connect_timeout_ms: 300, retry_interval_ms: 100}}\n`;
  const g = await startGateway(keysGatewayYaml({ keys: '                    store: keystore\n', provider: 'openai', port: 1, adapters }));
  t.teardown(() => g.close());
  const ready = await fetch(`${g.adminUrl}/ready`);
  t.equal(ready.status, 503);
  const text = await ready.text();
  t.match(text, new RegExp(`dgp\\.adapter\\.store\\.postgres:127\\.0\\.0\\.1:${port}/dgp`));
  t.notMatch(text, /hunter2/, 'the password is never shown');
  const res = await fetch(`${g.url()}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-some-key', 'content-type': 'application/json' },
    body: '{"model":"m","messages":[]}',
  });
  t.equal(res.status, 503);
  t.match(await res.json(), { error: { code: 'DGP_ERR_KEYSTORE_UNAVAILABLE' } });
});

t.test('reachable PostgreSQL: ready once migrated; a reload with the same config keeps the pool', async (t) => {
  const pg = await startPostgres();
  t.teardown(() => pg.close());
  const url = await pg.createDatabase('adapter_ready');
  const yaml = keysGatewayYaml({ keys: '                    store: keystore\n', provider: 'openai', port: 1, adapters: `    - {id: keystore, name: dgp.adapter.store.postgres, config: {url: "${url}", max_connections: 2}}\n` });
  const g = await startGateway(yaml, { level: 'debug' });
  t.teardown(() => g.close());
  t.equal((await fetch(`${g.adminUrl}/ready`)).status, 200);
  const created = () => g.logs.filter((l) => l.msg === 'service created' && String(l.service).startsWith('dgp.adapter.store.postgres')).length;
  const before = created();
  t.equal(before, 1, 'one pool');
  await g.writeConfig(yaml);
  t.match(await g.gw.reload(), { ok: true });
  t.equal((await fetch(`${g.adminUrl}/ready`)).status, 200);
  t.equal(created(), before, 'no new pool');
});
