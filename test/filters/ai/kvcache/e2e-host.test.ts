// End to end through the real host, worker pool and dgp.filter.llm.proxy: three mock vLLM endpoints behind a
// RoundRobin cluster; the request lands on the endpoint the LMCache controller names (mode: lmcache), or on the
// endpoint its shared prefix went to (mode: prefix); a down controller still serves every request.
import t from 'tap';
import { request } from 'undici';
import type { TapTest } from '../../../helpers/conformance.js';
import { FakeLmcache } from '../../../helpers/fake-lmcache.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { fakeTokens, FakeVllm } from '../../../helpers/fake-vllm.js';
import { startGateway, type TestGateway } from '../../../helpers/gateway.js';

async function upstreams(t: TapTest): Promise<FakeUpstream[]> {
  const ups = await Promise.all([FakeUpstream.start(), FakeUpstream.start(), FakeUpstream.start()]);
  t.teardown(async () => void (await Promise.all(ups.map((u) => u.close()))));
  return ups;
}

const conf = (ups: FakeUpstream[], kvcache: string) => `
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
                  - match: {prefix: /v1/}
                    route: {cluster: vllm_cluster}
              http_filters:
                - name: dgp.filter.ai.kvcache
                  config:
${kvcache
  .trim()
  .split('\n')
  .map((l) => `                    ${l}`)
  .join('\n')}
                - name: dgp.filter.llm.proxy
  clusters:
    - name: vllm_cluster
      lb_policy: RoundRobin
      endpoints:
${ups.map((u, i) => `        - id: vllm-instance-${i + 1}\n          socket_address: {address: 127.0.0.1, port: ${u.port}}`).join('\n')}
`;

async function post(g: TestGateway, body: object): Promise<{ status: number; attempts: string }> {
  const res = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.body.text();
  return { status: res.statusCode, attempts: String(res.headers['x-dgp-attempts']) };
}

async function metricsText(g: TestGateway): Promise<string> {
  const res = await request(`${g.adminUrl}/metrics`);
  return res.body.text();
}

t.test('mode: lmcache — the request lands on the endpoint LMCache names', async (t) => {
  const ups = await upstreams(t);
  const [vllm, lmcache] = await Promise.all([FakeVllm.start(), FakeLmcache.start({ shape: 'array' })]);
  t.teardown(async () => void (await Promise.all([vllm.close(), lmcache.close()])));
  const body = { model: 'qwen', messages: [{ role: 'user', content: 'Explain the significance of KV cache in language models.' }] };
  lmcache.store('lmcache-worker-2', fakeTokens(body));
  const g = await startGateway(
    conf(
      ups,
      `
enabled: true
vllm_endpoint: ${vllm.origin}
lmcache_endpoint: ${lmcache.origin}
lookup_routing_timeout: 5s
request_timeout: 10s
token_cache: {enabled: true, max_size: 100, ttl: 5m}
instance_map: {lmcache-worker-2: vllm-instance-2}
`,
    ),
  );
  t.teardown(() => g.close());
  t.equal((await post(g, body)).status, 200, 'the first request is served by normal load balancing');
  for (let i = 0; i < 200 && !/dgp_kvcache_background_actions_total\{action="tokenize",outcome="ok"\} 1/.test(await metricsText(g)); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  t.equal(vllm.callsTo('/tokenize').length, 1, 'tokenized in the background');
  for (let i = 0; i < 4; i++) t.equal((await post(g, body)).attempts, 'vllm-instance-2=200', `request ${i + 2} went to vllm-instance-2`);
  t.equal(ups[1]!.requests.length >= 4, true);
  const text = await metricsText(g);
  t.match(text, /dgp_kvcache_routing_total\{mode="lmcache",outcome="routed",reason="cached_instance"\} 4/);
  t.match(text, /dgp_kvcache_lookups_total\{result="hit"\} 4/);

  await lmcache.close();
  const down = await post(g, body);
  t.equal(down.status, 200, 'a down controller: still served');
  t.match(await metricsText(g), /dgp_kvcache_lookups_total\{result="error"\} 1/);
});

t.test('mode: prefix — a shared system prompt sticks to one endpoint; other prompts spread', async (t) => {
  const ups = await upstreams(t);
  const g = await startGateway(
    conf(
      ups,
      `
enabled: true
mode: prefix
lookup_routing_timeout: 10s
request_timeout: 10s
prefix: {block_size: 8}
`,
    ),
  );
  t.teardown(() => g.close());
  const system = 'You are the ACME travel assistant. Answer briefly, list prices in EUR, and never book without confirmation.';
  const homes = new Set<string>();
  for (const q of ['Flights to Lisbon?', 'Hotels in Porto?', 'Trains to Faro?', 'Car hire in Braga?']) {
    const r = await post(g, { model: 'llama', messages: [{ role: 'system', content: system }, { role: 'user', content: q }] });
    homes.add(r.attempts.split('=')[0]!);
  }
  t.equal(homes.size, 1, `all on ${[...homes].join(',')}`);
  const spread = new Set<string>();
  for (let i = 0; i < 30; i++) spread.add((await post(g, { model: 'llama', prompt: `Unrelated request number ${i * 31337} about topic ${i}` })).attempts.split('=')[0]!);
  t.ok(spread.size >= 2, `distinct prefixes went to ${spread.size} endpoints`);
  t.match(await metricsText(g), /dgp_kvcache_routing_total\{mode="prefix",outcome="routed",reason="prefix_index"\} [3-9]/);
});
