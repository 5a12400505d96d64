// The admin listener as an operator uses it: health, readiness, Prometheus metrics with real values, the effective
// config with every secret redacted, the plugin list, POST /reload; and Pixiu's metric.prometheus_port exporter.
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';

const PLUGINS = fileURLToPath(new URL('../../fixtures/host-plugins', import.meta.url));

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const yaml = (extra = '') => `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - id: everything
                    match: {prefix: /}
                    route: {cluster: c}
              http_filters:
                - name: test.responder
                  config: {}
  clusters:
    - name: c
      endpoints:
        - id: e1
          socket_address: {address: 127.0.0.1, port: 9}
          llm_meta: {api_key: "\${SECRET_KEY}"}
${extra}`;

t.test('admin endpoints', async (t) => {
  const g = await startGateway(yaml(), { pluginDirs: [PLUGINS], env: { SECRET_KEY: 'sk-prov-CANARY' } });
  t.teardown(() => g.close());
  const get = async (path: string, method = 'GET') => {
    const res = await request(`${g.adminUrl}${path}`, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {} });
    return { status: res.statusCode, type: res.headers['content-type'], text: await res.body.text() };
  };

  t.same(JSON.parse((await get('/health')).text), { status: 'ok' });
  const routing = JSON.parse((await get('/admin/v1/routes')).text) as Record<string, unknown>;
  t.match(routing, {
    generation: 1,
    listeners: [{ name: 'main', url: new RegExp(`^http://127\\.0\\.0\\.1:${new URL(g.url()).port}$`), routes: [{ id: 'everything', match: 'prefix /', cluster: 'c', filters: [{ kind: 'test.responder', overridden: false }] }] }],
    clusters: [{ name: 'c', endpoints: [{ id: 'e1', target: '127.0.0.1:9', api_key: 'set' }] }],
  }, 'GET /admin/v1/routes: the running routes with the bound port');
  t.notMatch(JSON.stringify(routing), /CANARY/, 'no key in the routes view');
  t.equal((await get('/ready')).status, 200);

  for (let i = 0; i < 3; i++) await (await request(`${g.url()}/x`)).body.dump();
  const metrics = await get('/metrics');
  t.match(metrics.type, /text\/plain/);
  t.match(metrics.text, /dgp_http_requests_total\{listener="main",route="everything",status="200"\} 3/);
  t.match(metrics.text, /dgp_http_request_duration_seconds_count\{listener="main",route="everything",status="200"\} 3/);
  t.match(metrics.text, /process_cpu_user_seconds_total/);

  const config = await get('/config');
  t.notMatch(config.text, /sk-prov-CANARY/, 'the provider key never appears');
  const body = JSON.parse(config.text) as {
    config: { static_resources: { clusters: Array<{ endpoints: Array<{ llm_meta: { api_key: string } }> }> } };
    runtime: { clusters: Array<{ name: string; endpoints: Array<{ id: string; healthy: boolean; source: string }> }> };
    last_reload: unknown;
  };
  t.equal(body.config.static_resources.clusters[0]!.endpoints[0]!.llm_meta.api_key, '[redacted]');
  t.match(body.runtime.clusters[0], { name: 'c', endpoints: [{ id: 'e1', healthy: true, source: 'static' }] });
  t.equal(body.last_reload, null);

  const plugins = JSON.parse((await get('/plugins')).text) as Array<{ kind: string; builtin: boolean }>;
  t.ok(plugins.find((p) => p.kind === 'test.responder' && !p.builtin));
  t.ok(plugins.find((p) => p.kind === 'dgp.filter.llm.proxy' && p.builtin));

  t.equal((await get('/reload')).status, 405, 'mutations are POST-only');
  t.equal((await get('/nope')).status, 404);
  const reload = await get('/reload', 'POST');
  t.equal(reload.status, 200);
  t.match(JSON.parse(reload.text), { ok: true, diff: 'no changes' });
  const after = JSON.parse((await get('/config')).text) as { last_reload: { ok: boolean } };
  t.equal(after.last_reload.ok, true);
  t.match((await get('/metrics')).text, /dgp_config_reloads_total\{result="success"\} 1/);
});

t.test('secrets never reach the logs', async (t) => {
  const g = await startGateway(yaml(), { pluginDirs: [PLUGINS], env: { SECRET_KEY: 'sk-prov-CANARY' }, level: 'debug' });
  await (await request(`${g.url()}/x`, { headers: { authorization: 'Bearer sk-gw-CANARY', 'x-api-key': 'sk-gw-CANARY' } })).body.dump();
  await g.close();
  const all = JSON.stringify(g.logs);
  t.notMatch(all, /CANARY/);
});

t.test("Pixiu's metric.prometheus_port serves the metrics at every path", async (t) => {
  const port = await freePort();
  const g = await startGateway(yaml(`metric:\n  enable: true\n  prometheus_port: ${port}\n`), { pluginDirs: [PLUGINS], env: { SECRET_KEY: 'k' } });
  t.teardown(() => g.close());
  await (await request(`${g.url()}/x`)).body.dump();
  const res = await request(`http://127.0.0.1:${port}/`);
  t.match(await res.body.text(), /dgp_http_requests_total\{listener="main",route="everything",status="200"\} 1/);
});

t.test('admin: {enabled: false} turns the admin listener off', async (t) => {
  const g = await startGateway(yaml('admin:\n  enabled: false\n'), { pluginDirs: [PLUGINS], env: { SECRET_KEY: 'k' } });
  t.teardown(() => g.close());
  t.equal(g.gw.adminAddress.port, 0);
});
