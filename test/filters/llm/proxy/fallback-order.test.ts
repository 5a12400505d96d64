// Fallback reaches every healthy endpoint once per request (issue 19 item 3): the walk goes from the LB pick to the end
// of the list and wraps to its start. Through the real gateway, [A healthy, B refusing] with fallback: true and a 5 s
// cooldown: 40 requests, 0 failures with RoundRobin and Rand; `fallback_order: forward` keeps Pixiu's walk (which
// fails the requests whose pick is B once B cools down).
import t from 'tap';
import { request } from 'undici';
import { proxyConf, startGateway } from '../../../helpers/gateway.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { closedPort, proxyHarness } from './helpers/setup.js';

const conf = (lb: string, a: number, b: number, order?: string): string =>
  proxyConf({
    filters: `
                - name: dgp.filter.llm.proxy
                  config: {${order === undefined ? '' : `fallback_order: ${order}`}}`,
    clusters: `
    - name: chat
      lb_policy: ${lb}
      endpoints:
        - id: A
          socket_address: {address: 127.0.0.1, port: ${a}}
          llm_meta: {provider: openai, fallback: true, health_check_interval: 5000}
        - id: B
          socket_address: {address: 127.0.0.1, port: ${b}}
          llm_meta: {provider: openai, fallback: true, health_check_interval: 5000}`,
  });

async function run40(url: string): Promise<{ failures: number; attempts: Map<string, number> }> {
  let failures = 0;
  const attempts = new Map<string, number>();
  for (let i = 0; i < 40; i++) {
    const res = await request(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' });
    await res.body.dump();
    if (res.statusCode !== 200) failures++;
    const seen = String(res.headers['x-dgp-attempts'] ?? '(none)');
    attempts.set(seen, (attempts.get(seen) ?? 0) + 1);
  }
  return { failures, attempts };
}

for (const lb of ['RoundRobin', 'Rand']) {
  t.test(`${lb}, fallback: true, [A healthy, B refusing]: 40 requests, 0 failures`, async (t) => {
    const a = await FakeUpstream.start();
    const b = await closedPort();
    const gw = await startGateway(conf(lb, a.port, b));
    t.teardown(async () => (await gw.close(), await a.close()));
    const { failures, attempts } = await run40(gw.url());
    t.equal(failures, 0, `0 of 40 failed (${JSON.stringify([...attempts])})`);
    t.equal(a.requests.length, 40, 'A served every request');
    t.ok([...attempts.keys()].every((k) => k === 'A=200' || k === 'B=connect_error;A=200'), 'each endpoint at most once per request');
  });
}

t.test('fallback_order: forward keeps Pixiu: a pick of B (cooled down, last in the list) is not walked back to A', async (t) => {
  const a = await FakeUpstream.start();
  const b = await closedPort();
  const gw = await startGateway(conf('RoundRobin', a.port, b, 'forward'));
  t.teardown(async () => (await gw.close(), await a.close()));
  const { failures } = await run40(gw.url());
  t.ok(failures >= 19, `${failures} of 40 failed: every request whose round-robin pick was B`);
});

t.test('the walk is a fixed cycle from the pick: every endpoint once, then it stops', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start({ behaviour: 'status:503', fixed: true }), FakeUpstream.start({ behaviour: 'status:503', fixed: true })]);
  const c = await closedPort();
  const llm = { fallback: true, health_check_interval: 0 };
  const h = await proxyHarness([
    { id: 'a', to: a, llm },
    { id: 'b', to: b, llm },
    { id: 'c', to: c, llm },
  ]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const fromB = await h.run({}, 'b');
  t.equal(fromB.response.headers['x-dgp-attempts'], 'b=503;c=connect_error;a=503', 'b, c, then wrapped to a, then stopped');
  t.equal(fromB.response.status, 503, 'the last HTTP answer');
  const fromA = await h.run({}, 'a');
  t.equal(fromA.response.headers['x-dgp-attempts'], 'a=503;b=503;c=connect_error', 'no wrap needed from the first');
});
