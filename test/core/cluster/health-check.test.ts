// Active health checks through a real gateway: a failing /health takes the endpoint out of the LB candidates within
// two intervals and a passing one brings it back within two more; both visible in /admin/v1/clusters, /config and the
// metrics. The probes stop on reload (the old generation's) and on close: no timer keeps probing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';

interface Upstream {
  port: number;
  health: number;
  probes: number;
  served: number;
  close(): Promise<void>;
}

async function upstream(): Promise<Upstream> {
  const u = { port: 0, health: 200, probes: 0, served: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    if (req.url === '/health') {
      u.probes++;
      res.writeHead(u.health).end();
      return;
    }
    u.served++;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  u.port = (server.address() as AddressInfo).port;
  u.close = () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  return u;
}

const INTERVAL = 300;

const config = (a: Upstream, b: Upstream, interval = INTERVAL): string => `static_resources:
  shutdown_config: {timeout: 200ms}
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /}, route: {cluster: pool}}]}
              http_filters: [{name: dgp.filter.llm.proxy, config: {}}]
  clusters:
    - name: pool
      lb_policy: RoundRobin
      health_checks:
        - {http_path: /health, interval: ${interval}ms, timeout: 2s, healthy_threshold: 1, unhealthy_threshold: 1}
      endpoints:
        - {id: a, socket_address: {address: 127.0.0.1, port: ${a.port}}, llm_meta: {provider: vllm, health_check_interval: 0}}
        - {id: b, socket_address: {address: 127.0.0.1, port: ${b.port}}, llm_meta: {provider: vllm, health_check_interval: 0}}
`;

type EndpointRow = { id: string; healthy: boolean; health: { active: string }; probe: { last_status: number | null } | null };
async function endpointsOf(gw: TestGateway): Promise<EndpointRow[]> {
  const body = (await (await fetch(`${gw.adminUrl}/admin/v1/clusters`)).json()) as { clusters: Array<{ name: string; endpoints: EndpointRow[] }> };
  return body.clusters.find((c) => c.name === 'pool')!.endpoints;
}

/** Polls until `ok` holds, failing after `ms`. */
async function within(ms: number, ok: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start <= ms) {
    if (await ok()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not within ${ms} ms`);
}

const metric = async (gw: TestGateway, line: string): Promise<boolean> => (await (await fetch(`${gw.adminUrl}/metrics`)).text()).includes(line);

t.test('an active check takes a failing endpoint out and brings it back, each within two intervals', async (t) => {
  const [a, b] = await Promise.all([upstream(), upstream()]);
  const gw = await startGateway(config(a, b));
  t.teardown(async () => (await gw.close(), await Promise.all([a.close(), b.close()])));
  await within(2 * INTERVAL, async () => a.probes > 0 && b.probes > 0);
  t.same((await endpointsOf(gw)).map((e) => [e.id, e.healthy, e.health.active]), [['a', true, 'healthy'], ['b', true, 'healthy']]);

  a.health = 503;
  await within(2 * INTERVAL, async () => !(await endpointsOf(gw)).find((e) => e.id === 'a')!.healthy);
  const row = (await endpointsOf(gw)).find((e) => e.id === 'a')!;
  t.match(row, { healthy: false, health: { active: 'unhealthy' }, probe: { last_status: 503 } }, '/admin/v1/clusters shows why');
  const served = a.served;
  for (let i = 0; i < 4; i++) t.equal((await fetch(`${gw.url()}/v1/chat/completions`, { method: 'POST', body: '{}' })).status, 200);
  t.equal(a.served, served, 'the unhealthy endpoint gets no traffic');
  t.equal(b.served, 4);
  t.ok(await metric(gw, 'dgp_cluster_endpoint_healthy{cluster="pool",endpoint="a"} 0'), 'health gauge 0');
  t.ok(await metric(gw, 'dgp_cluster_health_checks_total{cluster="pool",endpoint="a",result="fail"}'), 'failed probes counted');
  const cfg = (await (await fetch(`${gw.adminUrl}/config`)).json()) as { runtime: { clusters: Array<{ endpoints: Array<{ id: string; healthy: boolean }> }> } };
  t.equal(cfg.runtime.clusters[0]!.endpoints.find((e) => e.id === 'a')!.healthy, false, '/config agrees');

  a.health = 200;
  await within(2 * INTERVAL, async () => (await endpointsOf(gw)).find((e) => e.id === 'a')!.healthy);
  for (let i = 0; i < 4; i++) await fetch(`${gw.url()}/v1/chat/completions`, { method: 'POST', body: '{}' });
  t.equal(a.served, served + 2, 'back in the round robin');
  t.ok(await metric(gw, 'dgp_cluster_endpoint_healthy{cluster="pool",endpoint="a"} 1'));
});

t.test('probes stop on reload (the old generation) and on close', async (t) => {
  const [a, b] = await Promise.all([upstream(), upstream()]);
  const gw = await startGateway(config(a, b, 50));
  let closed = false;
  t.teardown(async () => {
    if (!closed) await gw.close();
    await Promise.all([a.close(), b.close()]);
  });
  await within(2000, async () => a.probes >= 2);
  // The new generation probes every 10 s: any probe within the next 300 ms would come from a leaked old timer.
  await gw.writeConfig(config(a, b, 10_000));
  const r = (await (await fetch(`${gw.adminUrl}/reload`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { ok: boolean };
  t.equal(r.ok, true);
  await new Promise((res) => setTimeout(res, 100));
  const afterReload = a.probes;
  await new Promise((res) => setTimeout(res, 300));
  t.equal(a.probes, afterReload, 'the retired generation probes no more');
  await gw.close();
  closed = true;
  const afterClose = a.probes + b.probes;
  await new Promise((res) => setTimeout(res, 150));
  t.equal(a.probes + b.probes, afterClose, 'nothing probes after close');
});

t.test('health_checks are validated with file:line', async (t) => {
  const { loadConfig } = await import('../../../core/config/load.js');
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'dgp-hc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'conf.yaml'),
    `static_resources:\n  clusters:\n    - name: pool\n      health_checks:\n        - {http_pth: /health, unhealthy_threshold: 0}\n      endpoints: []\n`,
  );
  const loaded = await loadConfig({ configDir: dir, env: {} });
  t.match(loaded.problems, [
    { code: 'DGP_ERR_CONFIG_SCHEMA', line: 5, pointer: '/static_resources/clusters/0/health_checks/0/http_pth', hint: 'did you mean "http_path"?' },
    { code: 'DGP_ERR_CONFIG_SCHEMA', line: 5, pointer: '/static_resources/clusters/0/health_checks/0/unhealthy_threshold', message: /must be >= 1/ },
  ]);
});
