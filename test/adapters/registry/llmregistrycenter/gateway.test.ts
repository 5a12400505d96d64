// Through the real host (startGateway + dgp.filter.llm.proxy): an endpoint registered in a REAL etcd serves traffic
// within 1 s without a reload, shows in GET /config with source etcd:<name>, in GET /ready detail and in /metrics;
// deleting the key takes it out; a reload keeps it; the same with Nacos (fake server).
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import t from 'tap';
import { request } from 'undici';
import { startEtcd } from '../../../helpers/etcd-server.js';
import { FakeNacos } from '../../../helpers/fake-nacos.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { startGateway } from '../../../helpers/gateway.js';
import { waitFor } from './harness.js';

const conf = (registries: string) => `
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
                  - match: {prefix: /v1}
                    route: {cluster: chat}
              http_filters:
                - name: dgp.filter.llm.proxy
                  config: {}
  adapters:
    - id: llm-registry
      name: dgp.adapter.llmregistrycenter
      enabled: "true"
      config:
        registries:
${registries}
`;

const chat = (base: string) =>
  request(`${base}/v1/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[]}', headers: { 'content-type': 'application/json' } });

async function getJson(url: string): Promise<Record<string, any>> {
  const res = await request(url);
  return (await res.body.json()) as Record<string, any>;
}

t.test('etcd: a newly registered endpoint takes traffic within 1 s, and leaves when its key is deleted', async (t) => {
  const [etcd, up] = await Promise.all([startEtcd(), FakeUpstream.start()]);
  const g = await startGateway(conf(`          local: {protocol: etcd, address: "${etcd.url}", reconnect_min: 50ms}`));
  t.teardown(async () => (await g.close(), await Promise.all([up.close(), etcd.close()])));

  const before = await chat(g.url());
  await before.body.dump();
  t.equal(before.statusCode, 503, 'no endpoint yet');

  const registeredAt = performance.now();
  await etcd.put('/dgp/llm/chat/vllm-1', { socket_address: { address: '127.0.0.1', port: up.port }, llm_meta: { provider: 'openai', api_key: 'sk-REGISTRY' } });
  let status = 0;
  // Bounded: at most 1 s of tries, 10 ms apart.
  while (performance.now() - registeredAt < 1000) {
    const res = await chat(g.url());
    await res.body.dump();
    status = res.statusCode;
    if (status === 200) break;
    await delay(10);
  }
  t.equal(status, 200, `routed to the new endpoint after ${Math.round(performance.now() - registeredAt)} ms (limit 1000)`);
  t.equal(up.requests.at(-1)!.headers.authorization, 'Bearer sk-REGISTRY', "the registry's api_key is used");

  const config = await getJson(`${g.adminUrl}/config`);
  const cluster = config.runtime.clusters.find((c: { name: string }) => c.name === 'chat');
  t.match(cluster, { lb_policy: 'RoundRobin', endpoints: [{ id: 'vllm-1', source: 'etcd:local', authority: `127.0.0.1:${up.port}`, healthy: true, provider: 'openai' }] });
  t.notMatch(JSON.stringify(config), /sk-REGISTRY/, 'the key never shows in /config');

  const ready = await getJson(`${g.adminUrl}/ready`);
  t.match(ready, { status: 'ready', detail: { 'dgp.adapter.llmregistrycenter': { registries: { local: { protocol: 'etcd', state: 'ok', endpoints: 1, last_error: null } } } } });
  const metrics = await (await request(`${g.adminUrl}/metrics`)).body.text();
  t.match(metrics, /dgp_registry_up\{registry="local",protocol="etcd"\} 1/);
  t.match(metrics, /dgp_registry_endpoints\{registry="local",protocol="etcd"\} 1/);

  const reload = await request(`${g.adminUrl}/reload`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  await reload.body.dump();
  t.equal(reload.statusCode, 200, 'a reload');
  const afterReload = await chat(g.url());
  await afterReload.body.dump();
  t.equal(afterReload.statusCode, 200, 'the registered endpoint survives the reload');
  t.match((await getJson(`${g.adminUrl}/ready`)).detail, { 'dgp.adapter.llmregistrycenter': { registries: { local: { state: 'ok' } } } }, 'the new generation reports');

  await etcd.del('/dgp/llm/chat/vllm-1');
  await waitFor(async () => {
    const res = await chat(g.url());
    await res.body.dump();
    return res.statusCode === 503;
  }, 'the deleted endpoint no longer takes traffic');
});

t.test('nacos: an instance registered in Nacos takes traffic, an unreachable Nacos shows in /ready', async (t) => {
  const [nacos, up] = await Promise.all([FakeNacos.start(), FakeUpstream.start()]);
  const g = await startGateway(conf(`          nacos: {protocol: nacos, address: "${nacos.address}", group: llm, poll_interval: 50ms, reconnect_min: 20ms}`));
  t.teardown(async () => (await g.close(), await Promise.all([up.close(), nacos.close()])));

  nacos.setInstances('deepseek', [{ ip: '127.0.0.1', port: up.port, metadata: { cluster: 'chat', id: 'ds-1', 'llm-meta.provider': 'openai' } }], 'llm');
  await waitFor(async () => {
    const res = await chat(g.url());
    await res.body.dump();
    return res.statusCode === 200;
  }, 'routed to the Nacos instance');
  const config = await getJson(`${g.adminUrl}/config`);
  t.match(config.runtime.clusters.find((c: { name: string }) => c.name === 'chat').endpoints, [{ id: 'ds-1', source: 'nacos:nacos' }]);

  nacos.setDown(true);
  await waitFor(async () => (await getJson(`${g.adminUrl}/ready`)).detail?.['dgp.adapter.llmregistrycenter']?.registries?.nacos?.state === 'unreachable', '/ready says unreachable');
  const ready = await getJson(`${g.adminUrl}/ready`);
  t.match(ready.detail['dgp.adapter.llmregistrycenter'].registries.nacos, { state: 'unreachable', endpoints: 1, last_error: { code: 'DGP_ERR_REGISTRY_UNREACHABLE' } });
  const res = await chat(g.url());
  await res.body.dump();
  t.equal(res.statusCode, 200, 'the last known endpoint still serves');
});
