// End to end through the real host: the official `openai` npm client, pointed at the gateway, completes a unary and a
// streaming chat completion through FakeUpstream; a cut stream fails the client; a client abort reaches the upstream.
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../../helpers/gateway.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';

const conf = (ports: number[], proxy = '{}') => `
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
                  config: ${proxy}
  clusters:
    - name: chat
      lb_policy: RoundRobin
      endpoints:
${ports
  .map(
    (p, i) => `        - id: ep-${i}
          socket_address: {address: 127.0.0.1, port: ${p}}
          llm_meta:
            provider: openai
            api_key: sk-prov-CANARY-${i}
            fallback: true`,
  )
  .join('\n')}
`;

t.test('the openai client: unary and streaming chat completions', async (t) => {
  const up = await FakeUpstream.start();
  const g = await startGateway(conf([up.port]));
  t.teardown(async () => (await g.close(), await up.close()));
  const client = new OpenAI({ baseURL: `${g.url()}/v1`, apiKey: 'sk-gw-CANARY', maxRetries: 0 });

  const unary = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(unary.choices[0]?.message.content, 'hello');
  t.equal(up.requests[0]!.headers.authorization, 'Bearer sk-prov-CANARY-0');
  t.equal(up.requests[0]!.url, '/v1/chat/completions');

  up.behaviour = 'sse:8:2';
  const stream = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  t.equal(text, 't0t1t2t3t4t5t6t7');
  t.notMatch(JSON.stringify(up.requests.map((r) => r.rawHeaders)), /sk-gw-CANARY/, 'the client key never went upstream');
});

t.test('through the host: a cut stream fails the openai client, never a clean end', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'sse-cut:3:2' });
  const g = await startGateway(conf([up.port]));
  t.teardown(async () => (await g.close(), await up.close()));
  const client = new OpenAI({ baseURL: `${g.url()}/v1`, apiKey: 'k', maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let text = '';
  await t.rejects(
    (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })(),
  );
  t.equal(text, 't0t1t2', 'the events before the cut arrived');
});

t.test('through the host: x-dgp-attempts, status table and a mid-stream client abort', async (t) => {
  const [bad, good] = await Promise.all([FakeUpstream.start({ behaviour: 'status:503', fixed: true }), FakeUpstream.start()]);
  const g = await startGateway(conf([bad.port, good.port]));
  t.teardown(async () => (await g.close(), await Promise.all([bad.close(), good.close()])));
  const res = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[]}', headers: { 'content-type': 'application/json' } });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['x-dgp-attempts'], 'ep-0=503;ep-1=200');
  await res.body.dump();

  good.behaviour = 'sse:1000:20';
  bad.behaviour = 'sse:1000:20';
  const ctl = new AbortController();
  const s = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body: '{}', signal: ctl.signal });
  const target = good.requests.length > 1 ? good : bad;
  const it = s.body[Symbol.asyncIterator]();
  await it.next();
  const at = performance.now();
  ctl.abort();
  await target.waitFor(() => target.requests.at(-1)!.abortedAt !== undefined, 2000, 'upstream stream closed');
  // The upstream stream runs 20 s (1000 chunks, 20 ms apart): closing within a second is the abort, not its end.
  const closedAfter = target.requests.at(-1)!.abortedAt! - at;
  t.ok(closedAfter < 1000, `the upstream saw the close ${closedAfter.toFixed(0)} ms after the client left`);
  await target.waitFor(() => g.logs.some((l) => l.type === 'access' && l.status === 499), 2000, 'access log 499');
  t.pass('the access log records 499');
});
