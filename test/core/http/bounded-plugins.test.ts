// Plugin code the host awaits is bounded: a decode chain by the connection manager `timeout` (504 in the client's
// shape, the stuck filter named in the log, its upstream aborted; a stream already flowing is not cut), a chunk hook
// that throws ends the stream with the renderer's error frame, create()/close() by plugins.*_timeout, and shutdown by
// shutdown_config.timeout even with a reload stuck in create().
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';

const PLUGINS = fileURLToPath(new URL('../../fixtures/bounded-plugins', import.meta.url));

const conf = (o: { filters: string[]; timeout?: string; extra?: string }) => `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              ${o.timeout ? `timeout: ${o.timeout}` : ''}
              route_config:
                routes:
                  - match: {prefix: /}
                    route: {cluster: c}
              http_filters:
${o.filters.map((f) => `                - ${f}`).join('\n')}
  clusters:
    - name: c
      endpoints:
        - id: e1
          socket_address: {address: 127.0.0.1, port: 9}
  shutdown_config: {timeout: 1s}
${o.extra ?? ''}
`;
const events = (): Array<Record<string, unknown>> => ((globalThis as { __dgpBoundedEvents?: Array<Record<string, unknown>> }).__dgpBoundedEvents ??= []);

t.test('a decode that never settles: 504 in the client shape within the timeout, filter named, request aborted', async (t) => {
  const g = await startGateway(conf({ timeout: '300ms', filters: ['name: test.api-renderer', 'name: test.stall\n                  config: {where: decode}'] }), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const started = performance.now();
  const res = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body: '{}', headersTimeout: 5000 });
  const elapsed = performance.now() - started;
  t.equal(res.statusCode, 504);
  const body = (await res.body.json()) as { error: { code: string; message: string; request_id: string } };
  t.equal(body.error.code, 'DGP_ERR_HTTP_DECODE_TIMEOUT', 'rendered by the chain renderer (client shape)');
  t.match(body.error.message, 'test.stall');
  t.ok(elapsed >= 290 && elapsed < 1500, `answered after ${Math.round(elapsed)} ms (timeout 300 ms)`);
  const id = res.headers['x-request-id'];
  t.equal(body.error.request_id, id);
  await new Promise((r) => setTimeout(r, 20));
  t.ok(events().some((e) => e.id === id && e.aborted === 'DGP_ERR_HTTP_DECODE_TIMEOUT'), 'the stuck filter saw ctx.signal abort with the timeout');
  const logged = g.logs.find((l) => l.code === 'DGP_ERR_HTTP_DECODE_TIMEOUT');
  t.match(logged, { kind: 'test.stall', hook: 'decode', level: 'error' }, 'the log names the filter and hook');
  t.match(g.logs.find((l) => l.type === 'access' && l.reqId === id), { status: 504 });
  const again = await request(`${g.url()}/v1/x`, { method: 'POST', body: '{}' });
  t.equal(again.statusCode, 504, 'still serving');
  await again.body.dump();
});

t.test('an encode that never settles is bounded too', async (t) => {
  const g = await startGateway(conf({ timeout: '200ms', filters: ['name: test.stall\n                  config: {where: encode}', 'name: test.stream'] }), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/v1/x`);
  t.equal(res.statusCode, 504);
  t.match(await res.body.json(), { code: 'DGP_ERR_HTTP_DECODE_TIMEOUT', status: 504, message: 'Gateway timeout' }, 'Pixiu shape without a renderer');
  t.ok(g.logs.some((l) => l.code === 'DGP_ERR_HTTP_DECODE_TIMEOUT' && l.hook === 'encode'));
});

t.test('the timeout bounds the time to the response head only: a stream that outlasts it is not cut', async (t) => {
  const g = await startGateway(conf({ timeout: '200ms', filters: ['name: test.stream\n                  config: {chunks: 6, interval_ms: 100, delay_ms: 100}'] }), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/v1/x`);
  t.equal(res.statusCode, 200);
  const text = await res.body.text();
  t.equal(text.split('\n\n').filter(Boolean).length, 6, 'all 6 events arrived over ~700 ms with a 200 ms timeout');
});

t.test('an onChunk throw ends the stream with the renderer error event, then cuts it', async (t) => {
  const g = await startGateway(
    conf({ filters: ['name: test.api-renderer', 'name: test.chunk-thrower\n                  config: {after: 2}', 'name: test.stream\n                  config: {chunks: 5}'] }),
    { pluginDirs: [PLUGINS] },
  );
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/v1/x`);
  t.equal(res.statusCode, 200);
  let text = '';
  let cut = false;
  try {
    for await (const c of res.body) text += c.toString();
  } catch {
    cut = true;
  }
  const frames = text.split('\n\n').filter(Boolean);
  t.equal(frames.length, 3, 'two data events, then the error event');
  t.match(frames[2], /^event: error\ndata: \{"error":\{"message":"filter test.chunk-thrower failed in onChunk/);
  t.match(frames[2], 'DGP_ERR_HTTP_FILTER_FAILED');
  t.ok(cut, 'no clean terminating chunk: the client sees a cut stream');
  t.ok(g.logs.some((l) => l.kind === 'test.chunk-thrower' && l.hook === 'onChunk' && l.level === 'error'), 'logged with the filter');
});

t.test('an onStreamEnd throw ends the stream with the error event as well', async (t) => {
  const g = await startGateway(
    conf({ filters: ['name: test.api-renderer', 'name: test.chunk-thrower\n                  config: {at_end: true}', 'name: test.stream\n                  config: {chunks: 2}'] }),
    { pluginDirs: [PLUGINS] },
  );
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/v1/x`);
  let text = '';
  try {
    for await (const c of res.body) text += c.toString();
  } catch {
    // cut on purpose
  }
  t.match(text, /event: error\ndata: .*test\.chunk-thrower failed in onStreamEnd/);
});

t.test('a create() that never settles fails the reload with a code; later reloads and shutdown still work', async (t) => {
  const good = conf({ filters: ['name: test.stream'] });
  const g = await startGateway(good, { pluginDirs: [PLUGINS] });
  let closed = false;
  t.teardown(() => (closed ? undefined : g.close()));
  await g.writeConfig(conf({ filters: ['name: test.stall\n                  config: {where: create}', 'name: test.stream'], extra: 'plugins: {create_timeout: 300ms}' }));
  const started = performance.now();
  const r1 = await g.gw.reload();
  t.equal(r1.ok, false);
  t.equal(r1.code, 'DGP_ERR_PLUGIN_TIMEOUT');
  t.match(r1.error, /test\.stall: create\(\) did not finish within plugins\.create_timeout \(300 ms\)/);
  const r2 = await g.gw.reload();
  t.equal(r2.code, 'DGP_ERR_PLUGIN_TIMEOUT', 'the next reload is not wedged');
  t.ok(performance.now() - started < 3000);
  const res = await request(`${g.url()}/v1/x`);
  t.equal(res.statusCode, 200, 'the old generation keeps serving');
  await res.body.dump();
  // SIGTERM while a reload is stuck in create() (create_timeout far above shutdown_config.timeout: 1s).
  await g.writeConfig(conf({ filters: ['name: test.stall\n                  config: {where: create}', 'name: test.stream'], extra: 'plugins: {create_timeout: 60s}' }));
  void g.gw.reload();
  await new Promise((r) => setTimeout(r, 50));
  const t0 = performance.now();
  await g.close();
  closed = true;
  const took = performance.now() - t0;
  t.ok(took < 1600, `shutdown with a stuck create() took ${Math.round(took)} ms (shutdown_config.timeout 1s)`);
});

t.test('a close() that never settles is bounded by plugins.close_timeout on shutdown', async (t) => {
  const g = await startGateway(conf({ filters: ['name: test.stall\n                  config: {where: close}', 'name: test.stream'], extra: 'plugins: {close_timeout: 200ms}' }), { pluginDirs: [PLUGINS] });
  const t0 = performance.now();
  await g.close();
  const took = performance.now() - t0;
  t.ok(took < 900, `closed in ${Math.round(took)} ms`);
  t.ok(g.logs.some((l) => l.code === 'DGP_ERR_PLUGIN_TIMEOUT' && l.kind === 'test.stall'), 'the stuck close() is logged with its kind');
});

