// The retry budget (reliability property 16) through the real gateway: in a 503 storm from every endpoint, 40 clients
// at a time, retries and fallbacks stop multiplying the load (each refused retry ends its request with the last 503,
// counted in dgp_upstream_retry_budget_denied_total); a request alone still gets every retry its policy allows; a
// per-cluster override applies to that cluster.
import t, { type Test } from 'tap';
import { request } from 'undici';
import { proxyConf, startGateway } from '../../../helpers/gateway.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';

const TOTAL = 400;
const CONCURRENCY = 40;

const conf = (a: number, b: number, budget: string): string =>
  proxyConf({
    filters: `
                - name: dgp.filter.llm.proxy
                  config: {${budget}}`,
    clusters: `
    - name: chat
      lb_policy: RoundRobin
      endpoints:
        - id: A
          socket_address: {address: 127.0.0.1, port: ${a}}
          llm_meta: {provider: openai, fallback: true, health_check_interval: 0, retry_policy: {name: CountBased, config: {times: 2}}}
        - id: B
          socket_address: {address: 127.0.0.1, port: ${b}}
          llm_meta: {provider: openai, fallback: true, health_check_interval: 0, retry_policy: {name: CountBased, config: {times: 2}}}`,
  });

async function storm(url: string, total: number, concurrency: number): Promise<{ statuses: Map<number, number>; attempts: number[] }> {
  const statuses = new Map<number, number>();
  const attempts: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      const res = await request(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' });
      await res.body.dump();
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      attempts.push(String(res.headers['x-dgp-attempts'] ?? '').split(';').length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { statuses, attempts };
}

const metricValue = async (adminUrl: string, name: string): Promise<number> => {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes('cluster="chat"'));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
};

async function run(t: Test, budget: string): Promise<{ ratio: number; denied: number; statuses: Map<number, number> }> {
  const a = await FakeUpstream.start({ behaviour: 'status:503', fixed: true });
  const b = await FakeUpstream.start({ behaviour: 'status:503', fixed: true });
  const gw = await startGateway(conf(a.port, b.port, budget));
  t.teardown(async () => (await gw.close(), await a.close(), await b.close()));
  const { statuses } = await storm(gw.url(), TOTAL, CONCURRENCY);
  const ratio = (a.requests.length + b.requests.length) / TOTAL;
  return { ratio, denied: await metricValue(gw.adminUrl, 'dgp_upstream_retry_budget_denied_total'), statuses };
}

t.test(`503 storm, ${CONCURRENCY} clients at a time: the default budget (20%, min 3) keeps upstream attempts near the requests`, async (t) => {
  const off = await run(t, 'retry_budget: {budget_percent: 100}');
  t.equal(off.ratio, 6, 'without a budget every request makes 6 attempts (3 on A, 3 on B)');
  t.equal(off.denied, 0);
  const on = await run(t, '');
  t.comment(`upstream attempts per request: ${off.ratio} without a budget, ${on.ratio.toFixed(2)} with the default one; ${on.denied} retries refused`);
  t.ok(on.ratio <= 1.5, `amplification ${on.ratio.toFixed(2)} <= 1.5 (budget 20% of the requests in flight)`);
  t.ok(on.denied > 0, 'refused retries are counted');
  t.same([...on.statuses], [[503, TOTAL]], "every request ended with the upstream's last 503");
});

t.test('a request alone gets every retry its policy allows (min_retry_concurrency)', async (t) => {
  const a = await FakeUpstream.start({ behaviour: 'status:503', fixed: true });
  const b = await FakeUpstream.start({ behaviour: 'status:503', fixed: true });
  const gw = await startGateway(conf(a.port, b.port, ''));
  t.teardown(async () => (await gw.close(), await a.close(), await b.close()));
  const { attempts } = await storm(gw.url(), 5, 1);
  t.same(attempts, [6, 6, 6, 6, 6]);
});

t.test("a cluster's own settings: budget_percent 0 and no minimum there means no retry at all", async (t) => {
  const a = await FakeUpstream.start({ behaviour: 'status:503', fixed: true });
  const b = await FakeUpstream.start({ behaviour: 'status:503', fixed: true });
  const gw = await startGateway(conf(a.port, b.port, 'retry_budget: {clusters: {chat: {budget_percent: 0, min_retry_concurrency: 0}}}'));
  t.teardown(async () => (await gw.close(), await a.close(), await b.close()));
  const res = await request(`${gw.url()}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' });
  t.equal(res.statusCode, 503);
  t.match(await res.body.text(), /fake status 503/, "the upstream's own answer");
  t.equal(res.headers['x-dgp-attempts'], 'A=503');
  t.equal(a.requests.length + b.requests.length, 1);
  t.equal(await metricValue(gw.adminUrl, 'dgp_upstream_retry_budget_denied_total'), 1);
});
