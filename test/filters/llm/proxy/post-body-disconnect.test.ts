// Reliability property 4 through the real gateway: a request body read to its end is not a disconnect. 100 POSTs of
// 1 MiB each, the client staying connected while the upstream takes 30 ms to answer after reading the whole body:
// no request is cancelled (node:http fires the request's 'close' once its body is consumed, nodejs/node#38924; the
// host watches the response side instead).
import t from 'tap';
import { request } from 'undici';
import { proxyConf, startGateway } from '../../../helpers/gateway.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { metricValue } from '../../../e2e/providers/helpers.js';

t.test('100 POSTs with 1 MiB bodies: 0 false cancellations', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'stall-headers:30', fixed: true });
  const gw = await startGateway(
    proxyConf({
      filters: '\n                - name: dgp.filter.llm.proxy',
      clusters: `\n    - name: chat\n      endpoints:\n        - id: a\n          socket_address: {address: 127.0.0.1, port: ${up.port}}\n          llm_meta: {provider: openai}`,
    }),
  );
  t.teardown(async () => (await gw.close(), await up.close()));
  const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(1 << 20) }] });
  const statuses = new Map<number, number>();
  for (let i = 0; i < 100; i++) {
    const res = await request(`${gw.url()}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.body.dump();
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  }
  t.same([...statuses], [[200, 100]], 'every request answered 200');
  t.equal(up.requests.length, 100);
  t.ok(up.requests.every((r) => r.body.length === Buffer.byteLength(body) && r.abortedAt === undefined), 'the upstream read every body whole and was never cut');
  t.equal(await metricValue(gw, 'dgp_upstream_cancelled_total', {}), 0, 'dgp_upstream_cancelled_total stays 0');
  t.notOk(gw.logs.some((l) => l.type === 'access' && l.status === 499), 'no 499 in the access log');
});
