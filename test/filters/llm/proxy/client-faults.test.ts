// Client faults are never endpoint faults (issue 19 item 2), through the real gateway with an OpenAI client in front
// of an Anthropic endpoint whose cooldown is 5 s: a request the proxy cannot build or translate (a 100k-deep JSON
// array) is answered 400 in the OpenAI shape with a coded error, reaches no upstream, and cools nothing down; 1,000
// malformed requests interleaved with normal ones leave zero cooldowns and zero failed normal requests.
import t from 'tap';
import { request } from 'undici';
import { proxyConf, startGateway, type TestGateway } from '../../../helpers/gateway.js';
import { startMock } from '../../../e2e/providers/helpers.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { testContext } from '../../../helpers/request-context.js';
import { ProxyFilter } from '../../../../filters/llm/proxy/filter.js';
import { passthroughMapper } from '../../../../filters/llm/proxy/mapper.js';
import { proxyHarness } from './helpers/setup.js';

const conf = (port: number): string =>
  proxyConf({
    prefix: '/',
    filters: `
                - name: dgp.filter.llm.proxy
                  config: {}`,
    clusters: `
    - name: chat
      lb_policy: RoundRobin
      endpoints:
        - id: claude
          socket_address: {address: 127.0.0.1, port: ${port}}
          llm_meta: {provider: anthropic, api_key: sk-ant-test, scheme: http, fallback: true, health_check_interval: 5000}`,
  });

const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const NORMAL = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
/** Bodies an OpenAI client might send that cannot become an Anthropic request. */
const MALFORMED: string[] = [
  `{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deep(10_000)}}}]}`,
  `{"model":"m","messages":[{"role":"user","content":${deep(10_000)}}]}`,
  `{"model":"m","messages":${deep(10_000)}}`,
  '{"model":"m","messages":[{"role":"user","content":"hi"}',
  '{"model":"m","messages":"not a list"}',
  '[1,2,3]',
];

async function post(gw: TestGateway, body: string): Promise<{ status: number; text: string }> {
  const res = await request(`${gw.url()}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.statusCode, text: await res.body.text() };
}

async function cooldownEntries(gw: TestGateway): Promise<number> {
  const ready = (await (await fetch(`${gw.adminUrl}/ready`)).json()) as { detail?: Record<string, { entries?: number }> };
  return ready.detail?.['dgp.cluster.cooldowns']?.entries ?? -1;
}

t.test('a 100k-deep JSON array is a 400 in the OpenAI shape; nothing is sent, nothing cools down', async (t) => {
  const mock = await startMock('anthropic', { text: 'ok' });
  const gw = await startGateway(conf(mock.port));
  t.teardown(async () => (await gw.close(), await mock.close()));
  const r = await post(gw, `{"model":"m","messages":[{"role":"user","content":${deep(100_000)}}]}`);
  t.equal(r.status, 400, 'answered 400');
  const err = JSON.parse(r.text) as { error: { type: string; code: string; message: string } };
  t.equal(err.error.type, 'invalid_request_error', 'OpenAI error shape');
  t.equal(err.error.code, 'DGP_ERR_PROXY_REQUEST_TOO_DEEP');
  t.notMatch(err.error.message, /Maximum call stack/, 'no engine text');
  t.equal(mock.requests.length, 0, 'nothing reached the upstream');
  t.equal(await cooldownEntries(gw), 0, 'no cooldown');
  t.equal((await post(gw, NORMAL)).status, 200, 'the next normal request is served');
});

t.test('1,000 malformed requests interleaved with normal ones: zero cooldowns, zero failed normal requests', async (t) => {
  const mock = await startMock('anthropic', { text: 'ok' });
  const gw = await startGateway(conf(mock.port));
  t.teardown(async () => (await gw.close(), await mock.close()));
  const TOTAL = 1000;
  const CONCURRENCY = 8;
  let normalFailed = 0;
  let normalSent = 0;
  const malformedStatus = new Map<number, number>();
  for (let i = 0; i < TOTAL; i += CONCURRENCY) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, k) => {
        const bad = await post(gw, MALFORMED[(i + k) % MALFORMED.length]!);
        malformedStatus.set(bad.status, (malformedStatus.get(bad.status) ?? 0) + 1);
        normalSent++;
        if ((await post(gw, NORMAL)).status !== 200) normalFailed++;
      }),
    );
  }
  t.same([...malformedStatus], [[400, TOTAL]], `every malformed request got 400 (${JSON.stringify([...malformedStatus])})`);
  t.equal(normalFailed, 0, `0 of ${normalSent} normal requests failed`);
  t.equal(await cooldownEntries(gw), 0, 'cooldowns: 0');
  t.equal(mock.requests.length, normalSent, 'only the normal requests reached the upstream');
});

t.test('any error thrown while building the request is the client fault: no retry, fallback or cooldown', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start(), FakeUpstream.start()]);
  const llm = { fallback: true, health_check_interval: 5000, retry_policy: { name: 'CountBased', config: { times: 3 } } };
  const h = await proxyHarness([
    { id: 'a', to: a, llm },
    { id: 'b', to: b, llm },
  ]);
  t.teardown(async () => (await h.close(), await a.close(), await b.close()));
  let builds = 0;
  const broken = new ProxyFilter({}, h.fctx, {
    ...passthroughMapper,
    buildRequest(input) {
      builds++;
      if (input.ctx.request.headers['x-break'] !== undefined) throw new TypeError("Cannot read properties of undefined (reading 'parts')");
      return passthroughMapper.buildRequest(input);
    },
  });
  const ctx = testContext({ body: { model: 'm', messages: [] }, cluster: h.cluster, headers: { 'x-break': '1' } });
  await broken.decode(ctx);
  t.equal(ctx.response.status, 400);
  t.equal(ctx.errors[0]?.code, 'DGP_ERR_PROXY_REQUEST_INVALID');
  t.notMatch(ctx.errors[0]?.message, /Cannot read properties|127\.0\.0\.1/, 'no engine text, no address');
  t.equal(builds, 1, 'built once: no retry, no fallback');
  t.equal(a.requests.length + b.requests.length, 0, 'nothing sent');
  for (const ep of h.clusters.endpoints(h.cluster)) t.notOk(h.clusters.cooldowns.inCooldown(h.cluster, ep), `${ep.id} not cooled down`);
  const ok = testContext({ body: { model: 'm', messages: [] }, cluster: h.cluster });
  await broken.decode(ok);
  t.equal(ok.response.status, 200, 'the next request is served');
});
