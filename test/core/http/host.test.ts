// The request path through a real listener: filter order (the onion), local replies, a throwing filter, 404,
// streaming with chunk hooks, client aborts, request ids and the access log.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';

const PLUGINS = fileURLToPath(new URL('../../fixtures/host-plugins', import.meta.url));

const config = (filters: string, routes = '- match: {prefix: /}\n                    route: {cluster: c}') => `
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
                  ${routes}
              http_filters:
${filters}
  clusters:
    - name: c
      endpoints:
        - id: e1
          socket_address: {address: 127.0.0.1, port: 9}
`;
const f = (kind: string, cfg: string) => `                - name: ${kind}\n                  config: ${cfg}`;

t.test('decode runs in order, encode in reverse for entered filters, onComplete always', async (t) => {
  const completed: Array<{ name: string; trace: string[] }> = [];
  (globalThis as { __dgpTestCompleted?: unknown }).__dgpTestCompleted = completed;
  const g = await startGateway(
    config([f('test.recorder', '{name: a}'), f('test.recorder', '{name: b, stop: true}'), f('test.recorder', '{name: c}')].join('\n')),
    { pluginDirs: [PLUGINS] },
  );
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/v1/x`);
  t.equal(res.statusCode, 200);
  t.same(await res.body.json(), { stoppedBy: 'b' });
  t.equal(res.headers['x-trace'], 'd:a,d:b,e:b,e:a', 'c never entered: neither its decode nor its encode ran');
  const second = await request(`${g.url()}/v1/x`);
  await second.body.dump();
  t.equal(second.headers['x-trace'], 'd:a,d:b,e:b,e:a', 'attributes start empty on every request: nothing leaks');
  await new Promise((r) => setTimeout(r, 20));
  t.same(completed.slice(0, 2).map((c) => c.name), ['b', 'a'], 'onComplete for entered filters only, in reverse order');
});

t.test('a throwing filter gives a 500 with a code, is logged with its stack, and the server keeps serving', async (t) => {
  for (const where of ['decode', 'decode-async', 'encode']) {
    const g = await startGateway(config([f('test.thrower', `{where: ${where}}`), f('test.responder', '{}')].join('\n')), { pluginDirs: [PLUGINS] });
    const res = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body: '{}' });
    t.equal(res.statusCode, 500, where);
    const body = (await res.body.json()) as { status: number; message: string; code: string; request_id: string };
    t.match(body, { status: 500, message: 'Internal server error', code: 'DGP_ERR_HTTP_FILTER_FAILED' }, 'no renderer on the chain: Pixiu shape');
    t.equal(body.request_id, res.headers['x-request-id']);
    const logged = g.logs.find((l) => l.kind === 'test.thrower' && l.level === 'error') as { err?: { stack?: string } } | undefined;
    t.match(logged?.err?.stack ?? '', `boom in ${where.replace('-async', '')}`, 'stack is logged');
    const again = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body: '{}' });
    t.equal(again.statusCode, 500, 'still serving');
    await again.body.dump();
    await g.close();
  }
});

t.test('an onComplete that throws does not change the response', async (t) => {
  const g = await startGateway(config([f('test.thrower', '{where: onComplete}'), f('test.responder', '{}')].join('\n')), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/x`);
  t.equal(res.statusCode, 200);
  await res.body.dump();
});

t.test('no route: 404 in Pixiu shape without a renderer, no filter runs', async (t) => {
  const g = await startGateway(
    config(f('test.recorder', '{name: a}') + '\n' + f('test.responder', '{}'), '- match: {path: /only}\n                    route: {cluster: c}'),
    { pluginDirs: [PLUGINS] },
  );
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body: '{}' });
  t.equal(res.statusCode, 404);
  t.equal(res.headers['x-trace'], undefined);
  t.equal(res.headers['content-type'], 'application/json');
  const body = (await res.body.json()) as Record<string, unknown>;
  t.match(body, { status: 404, message: 'Route not found', code: 'DGP_ERR_HTTP_NO_ROUTE', request_id: res.headers['x-request-id'] });
  t.match(body.error, 'no route matches POST /v1/chat/completions');
});

t.test("the chain's renderLocalReply renders host and filter local replies; undefined or a throw falls back to Pixiu's", async (t) => {
  const filters = [f('test.renderer', '{name: first}'), f('test.thrower', '{where: decode}'), f('test.responder', '{}')].join('\n');
  const g = await startGateway(config(filters, '- match: {prefix: /text/ok}\n                    route: {cluster: c}\n                  - match: {prefix: /throws}\n                    route: {cluster: c}\n                  - match: {prefix: /json}\n                    route: {cluster: c}'), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const noRoute = await request(`${g.url()}/text/missing`);
  t.equal(noRoute.statusCode, 404);
  t.equal(noRoute.headers['x-rendered-by'], 'first', 'no route: the listener chain renders too');
  t.equal(await noRoute.body.text(), `DGP_ERR_HTTP_NO_ROUTE auto ${noRoute.headers['x-request-id']}`);
  const failed = await request(`${g.url()}/text/ok`);
  t.equal(failed.statusCode, 500);
  t.equal(failed.headers['content-type'], 'text/plain');
  t.match(await failed.body.text(), /^DGP_ERR_HTTP_FILTER_FAILED auto /);
  const declined = await request(`${g.url()}/json`);
  t.match(await declined.body.json(), { status: 500, code: 'DGP_ERR_HTTP_FILTER_FAILED' }, 'the renderer declined: Pixiu shape');
  const threw = await request(`${g.url()}/throws`);
  t.match(await threw.body.json(), { status: 500, code: 'DGP_ERR_HTTP_FILTER_FAILED' }, 'the renderer threw: logged, Pixiu shape');
  t.ok(g.logs.some((l) => l.msg === 'renderLocalReply threw; the next renderer answers'));
});

t.test('error_format: pixiu skips the renderers', async (t) => {
  const yaml = config(f('test.renderer', '{}'), '- match: {path: /only}\n                    route: {cluster: c}').replace('route_config:', 'error_format: pixiu\n              route_config:');
  const g = await startGateway(yaml, { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/text/x`);
  t.match(await res.body.json(), { status: 404, message: 'Route not found', code: 'DGP_ERR_HTTP_NO_ROUTE' });
});

t.test('hop-by-hop headers a filter sets never reach the client, nor the names its Connection nominates', async (t) => {
  const g = await startGateway(config(f('test.responder', '{mode: hop-headers}')), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/x`);
  await res.body.dump();
  t.equal(res.headers['x-kept'], 'k');
  for (const name of ['x-secret', 'proxy-authenticate', 'upgrade', 'te', 'trailer']) t.equal(res.headers[name], undefined, name);
  t.not(res.headers['connection'], 'x-secret, keep-alive', 'connection is node:http own');
  t.not(res.headers['keep-alive'], 'timeout=99');
});

t.test('params from :var paths reach the filters', async (t) => {
  const g = await startGateway(config(f('test.responder', '{}'), '- match: {path: /v1/models/:model}\n                    route: {cluster: c}'), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/v1/models/gpt-4o?x=1`);
  t.same(await res.body.json(), { ok: true, path: '/v1/models/gpt-4o', params: { model: 'gpt-4o' } });
});

t.test('streams flow chunk by chunk through onChunk hooks and onStreamEnd tails', async (t) => {
  const g = await startGateway(config([f('test.upper', '{}'), f('test.responder', '{mode: stream, chunks: 3, chunk_bytes: 2}')].join('\n')), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/s`);
  t.equal(res.headers['content-type'], 'text/event-stream');
  t.equal(res.headers['transfer-encoding'], 'chunked');
  t.equal(await res.body.text(), 'DATA: 00\n\nDATA: 01\n\nDATA: 02\n\ndata: [TAIL]\n\n');
});

t.test('a stream that fails mid-way ends abruptly, never cleanly', async (t) => {
  const g = await startGateway(config(f('test.responder', '{mode: stream-fail, chunks: 2}')), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/s`);
  t.equal(res.statusCode, 200);
  let received = '';
  await t.rejects(
    (async () => {
      for await (const chunk of res.body) received += chunk.toString();
    })(),
    'the client sees a terminated body',
  );
  t.match(received, /event: error\ndata: \{"error":"cut"\}\n\n$/, 'the error event written just before the failure arrives');
  await new Promise((r) => setTimeout(r, 20));
  const access = g.logs.find((l) => l.type === 'access');
  t.equal(access?.status, 502, 'the access log records the failure');
});

t.test('client abort mid-stream: onComplete runs with aborted=true and the access log says 499', async (t) => {
  const completed: Array<{ aborted: boolean }> = [];
  (globalThis as { __dgpTestCompleted?: unknown }).__dgpTestCompleted = completed;
  const g = await startGateway(
    config([f('test.recorder', '{name: a}'), f('test.responder', '{mode: stream, chunks: 1000, interval_ms: 10}')].join('\n')),
    { pluginDirs: [PLUGINS] },
  );
  t.teardown(() => g.close());
  const ac = new AbortController();
  const res = await request(`${g.url()}/s`, { signal: ac.signal });
  const it = res.body[Symbol.asyncIterator]();
  await it.next();
  ac.abort();
  for (let i = 0; i < 50 && !completed.length; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(completed[0]?.aborted, true);
  const access = g.logs.find((l) => l.type === 'access');
  t.equal(access?.status, 499);
});

t.test('x-request-id is propagated when given and generated otherwise; the access log line carries it', async (t) => {
  const g = await startGateway(config(f('test.responder', '{}')), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const given = await request(`${g.url()}/a`, { headers: { 'x-request-id': 'req-123', authorization: 'Bearer sk-CANARY' } });
  await given.body.dump();
  t.equal(given.headers['x-request-id'], 'req-123');
  const generated = await request(`${g.url()}/a`);
  await generated.body.dump();
  t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  await new Promise((r) => setTimeout(r, 20));
  const line = g.logs.find((l) => l.type === 'access' && l.reqId === 'req-123');
  t.match(line, { method: 'GET', path: '/a', route: 'main#0', cluster: 'c', status: 200, listener: 'main' });
  t.type(line?.duration_ms, 'number');
  t.type(line?.bytes, 'number');
});
