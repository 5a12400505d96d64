// generate_request_id through a real listener and proxy: with it, a request without a usable x-request-id reaches the
// upstream carrying the id the reply and the access log show; without it, the upstream sees only what the client sent.
import t from 'tap';
import { request } from 'undici';
import { FakeUpstream } from '../../helpers/fake-upstream.js';
import { startGateway } from '../../helpers/gateway.js';

const conf = (port: number, generate: boolean) => `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              generate_request_id: ${generate}
              route_config: {routes: [{match: {prefix: /v1}, route: {cluster: chat}}]}
              http_filters: [{name: dgp.filter.llm.proxy, config: {}}]
  clusters:
    - name: chat
      endpoints: [{id: a, socket_address: {address: 127.0.0.1, port: ${port}}}]
`;

const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

async function send(base: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(chat) });
  await res.body.dump();
  return { status: res.statusCode, id: res.headers['x-request-id'] };
}

t.test('generate_request_id: true sets x-request-id upstream when missing or unusable, and uses it as the request id', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'json', fixed: true });
  const g = await startGateway(conf(up.port, true));
  t.teardown(async () => (await g.close(), await up.close()));

  const missing = await send(g.url());
  t.equal(missing.status, 200);
  t.match(missing.id, /^[0-9a-f-]{36}$/, 'a UUID');
  t.equal(up.requests[0]!.headers['x-request-id'], missing.id, 'the upstream got the id the reply carries');
  t.ok(g.logs.some((l) => l.type === 'access' && l.reqId === missing.id), 'the access log line carries it too');

  const given = await send(g.url(), { 'x-request-id': 'client-42' });
  t.equal(given.id, 'client-42');
  t.equal(up.requests[1]!.headers['x-request-id'], 'client-42', "a usable client id is kept as it is");

  const unusable = await send(g.url(), { 'x-request-id': 'x'.repeat(200) });
  t.match(unusable.id, /^[0-9a-f-]{36}$/);
  t.equal(up.requests[2]!.headers['x-request-id'], unusable.id, 'an unusable client id is replaced upstream');
});

t.test('generate_request_id: false (the default) leaves the upstream request as the client sent it', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'json', fixed: true });
  const g = await startGateway(conf(up.port, false));
  t.teardown(async () => (await g.close(), await up.close()));
  const missing = await send(g.url());
  t.match(missing.id, /^[0-9a-f-]{36}$/, 'replies still carry a request id');
  t.equal(up.requests[0]!.headers['x-request-id'], undefined);
  await send(g.url(), { 'x-request-id': 'client-42' });
  t.equal(up.requests[1]!.headers['x-request-id'], 'client-42');
});
