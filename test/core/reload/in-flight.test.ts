// In-flight requests finish on the generation they started on (Envoy's drain promise, nginx's "keep the old upstream
// alive" lesson): a 200-chunk SSE stream keeps flowing byte for byte while conf.yaml is rewritten three times, a
// stream to an endpoint that the new config removes completes with the old endpoint and key, and the old
// generation's filters are closed only once that last request has ended.
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';
import { FakeUpstream, fakeSseEvent } from '../../helpers/fake-upstream.js';
import { TAG_PLUGIN, events, getTag, tagConfig, waitFor } from './helpers.js';

t.test('a 200-chunk SSE stream survives three rewrites of conf.yaml byte for byte', async (t) => {
  events().length = 0;
  const stream = { chunks: 200, interval_ms: 20 };
  const g = await startGateway(tagConfig({ tag: 'v1', stream }), { pluginDirs: [TAG_PLUGIN], watch: true });
  t.teardown(() => g.close());
  const firstGen = g.gw.generation;
  const res = await request(`${g.url()}/stream`);
  t.equal(res.headers['content-type'], 'text/event-stream');
  const received: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of res.body) received.push(chunk as Buffer);
  })();

  for (const tag of ['v2', 'v3', 'v4']) {
    await new Promise((r) => setTimeout(r, 500));
    await g.writeConfig(tagConfig({ tag, stream }));
    await waitFor(async () => (await getTag(g.url())) === tag, 1000, `${tag} served within 1 s`);
  }
  t.equal(await getTag(g.url()), 'v4', 'new requests see the last config');
  const soFar = Buffer.concat(received).toString();
  t.ok(soFar.startsWith('data: v1-0\n\n') && !soFar.includes('v1-199'), 'the stream was still running across the rewrites');
  t.notOk(firstGen.closed, 'the first generation is retired but not closed while its stream runs');
  t.notOk(events().some((e) => e.event === 'close' && e.tag === 'v1'), 'v1 filter not closed yet');
  t.ok(events().some((e) => e.event === 'close' && e.tag === 'v2'), 'an idle retired generation (v2) is closed at once');

  await done;
  const expected = Array.from({ length: 200 }, (_, i) => `data: v1-${i}\n\n`).join('');
  t.equal(Buffer.concat(received).toString(), expected, 'every byte of the stream, in order, from the config it started with');
  await waitFor(() => firstGen.closed, 2000, 'first generation closed after its last request');
  t.ok(events().some((e) => e.event === 'close' && e.tag === 'v1'), 'v1 filter close() ran once the stream ended');
  t.equal(events().filter((e) => e.event === 'close' && e.tag === 'v1').length, 1, 'close() exactly once');
});

const proxyConfig = (endpoints: Array<{ id: string; port: number; key: string }>) => `
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
  clusters:
    - name: chat
      lb_policy: RoundRobin
      endpoints:
${endpoints.map((e) => `        - id: ${e.id}\n          socket_address: {address: 127.0.0.1, port: ${e.port}}\n          llm_meta: {provider: openai, api_key: ${e.key}}`).join('\n')}
`;

t.test('a stream to endpoint A completes with the old key after A is removed and its key rotated', async (t) => {
  const a = await FakeUpstream.start({ behaviour: 'json', fixed: true });
  const b = await FakeUpstream.start({ behaviour: 'json', fixed: true });
  a.enqueue('sse:60:25');
  const g = await startGateway(proxyConfig([{ id: 'a', port: a.port, key: 'sk-old' }]), { watch: true });
  t.teardown(async () => (await g.close(), await a.close(), await b.close()));
  const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const unary = async (): Promise<void> => {
    const r = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[]}', headers: { 'content-type': 'application/json' } });
    await r.body.dump();
  };
  const res = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  t.equal(res.statusCode, 200);
  const text = res.body.text();
  await a.waitFor(() => (a.requests[0]?.eventsSent ?? 0) >= 5, 5000, 'stream under way');

  await g.writeConfig(proxyConfig([{ id: 'b', port: b.port, key: 'sk-new' }]));
  await waitFor(async () => (await unary(), b.requests.length > 0), 1000, 'new requests reach B within 1 s');
  t.equal(b.requests[0]!.headers.authorization, 'Bearer sk-new', 'new requests use the new key');
  t.ok(a.requests[0]!.finishedAt === undefined, 'the stream to A is still running after the swap');
  const toA = a.requests.length;
  for (let i = 0; i < 5; i++) await unary();
  t.equal(a.requests.length, toA, 'after the swap no request reaches A');

  const expected = Array.from({ length: 60 }, (_, i) => fakeSseEvent(i)).join('') + 'data: [DONE]\n\n';
  t.equal(await text, expected, 'the stream to A completed byte for byte');
  t.equal(a.requests[0]!.headers.authorization, 'Bearer sk-old', 'the in-flight request kept the key it started with');
});
