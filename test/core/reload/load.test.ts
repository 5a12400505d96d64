// Reloads under traffic: requests running while 20 reloads happen (half real changes, half no-ops) all succeed, and a
// no-op reload causes no connection churn, neither for a keep-alive client nor towards the upstream (its pool is
// process-wide and the endpoint is unchanged). The loops are bounded and stay on loopback.
import t from 'tap';
import { Client, request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';
import { FakeUpstream } from '../../helpers/fake-upstream.js';
import { TAG_PLUGIN, tagConfig } from './helpers.js';

t.test('a load loop sees zero failed requests during 20 reloads', async (t) => {
  const g = await startGateway(tagConfig({ tag: 'v0' }), { pluginDirs: [TAG_PLUGIN] });
  t.teardown(() => g.close());
  const base = g.url();
  let stop = false;
  const seen = new Set<string>();
  const failures: string[] = [];
  let ok = 0;
  const worker = async (): Promise<void> => {
    for (let i = 0; i < 20_000 && !stop; i++) {
      try {
        const res = await request(`${base}/unary`);
        const body = (await res.body.json()) as { tag?: string };
        if (res.statusCode === 200 && body.tag) {
          ok++;
          seen.add(body.tag);
        } else failures.push(`status ${res.statusCode}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  for (let r = 1; r <= 20; r++) {
    // Odd reloads change the tag (a new route and filter); even ones rewrite the same config (a no-op).
    await g.writeConfig(tagConfig({ tag: `v${Math.ceil(r / 2)}` }));
    const result = await g.gw.reload();
    if (!result.ok) failures.push(`reload ${r}: ${result.error}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  stop = true;
  await Promise.all(workers);
  t.same(failures, [], 'zero failed requests, zero failed reloads');
  t.ok(ok >= 40, `${ok} requests succeeded during the reloads`);
  t.ok(seen.has('v0') && seen.has('v10'), 'traffic saw the first and the last config');
});

t.test('no-op reloads: no churn on client keep-alive or upstream connections', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'json', fixed: true });
  const conf = `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /v1}, route: {cluster: chat}}]}
              http_filters: [{name: dgp.filter.llm.proxy, config: {}}]
  clusters:
    - name: chat
      endpoints: [{id: a, socket_address: {address: 127.0.0.1, port: ${up.port}}, llm_meta: {provider: openai}}]
`;
  const g = await startGateway(conf);
  const client = new Client(g.url(), { pipelining: 1 });
  let connects = 0;
  client.on('connect', () => connects++);
  t.teardown(async () => (await client.close(), await g.close(), await up.close()));
  const call = async (): Promise<number> => {
    const res = await client.request({ path: '/v1/chat/completions', method: 'POST', body: '{"model":"m","messages":[]}', headers: { 'content-type': 'application/json' } });
    await res.body.dump();
    return res.statusCode;
  };
  t.equal(await call(), 200);
  for (let i = 0; i < 10; i++) {
    const result = await g.gw.reload();
    t.equal(result.diff, 'no changes');
    t.equal(await call(), 200);
  }
  t.equal(connects, 1, 'one client connection served every request across 10 reloads');
  t.equal(up.connections.size, 1, 'one upstream connection: the pool of the unchanged endpoint was kept');
  t.equal(up.requests.length, 11);
});
