// Protocol hygiene on a real listener: an absolute-form target is rewritten to origin-form (never forwarded as a URL),
// a doubled or non-chunked Transfer-Encoding is refused with 400, and a client that stops reading a stream for longer
// than the listener idle_timeout is cut, which aborts the request (the stream's producer sees ctx.signal abort).
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';

const PLUGINS = fileURLToPath(new URL('../../fixtures/bounded-plugins', import.meta.url));

const conf = (filter: string, idle = '5s') => `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      config: {idle_timeout: ${idle}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: /v1}
                    route: {cluster: c}
              http_filters:
                - ${filter}
  clusters:
    - name: c
      endpoints:
        - id: e1
          socket_address: {address: 127.0.0.1, port: 9}
`;

/** Sends raw bytes and collects the whole answer (until the server closes or `ms` passes). */
function raw(port: number, bytes: string, ms = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect(port, '127.0.0.1', () => sock.write(bytes));
    let out = '';
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(out);
    }, ms);
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('error', reject);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

t.test('absolute-form target: rewritten to origin-form, the authority becomes Host', async (t) => {
  const g = await startGateway(conf('name: test.echo'), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const port = g.gw.port('main');
  const answer = await raw(port, 'POST http://other.internal:9999/v1/chat/completions?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
  t.match(answer, /^HTTP\/1\.1 200 /);
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { path: string; query: string; host: string };
  t.same(body, { path: '/v1/chat/completions', query: 'x=1', host: 'other.internal:9999' }, 'filters (and the proxy) see an origin-form path');
  const bad = await raw(port, 'GET ftp://x/v1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  t.match(bad, /^HTTP\/1\.1 400 /, 'another scheme is refused');
  t.match(bad, 'DGP_ERR_HTTP_MALFORMED');
});

t.test('Transfer-Encoding: identity plus chunked (two fields) is refused with 400 and the connection closed', async (t) => {
  const g = await startGateway(conf('name: test.echo'), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const port = g.gw.port('main');
  const two = await raw(port, 'POST /v1/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
  t.match(two, /^HTTP\/1\.1 400 /);
  t.match(two, 'DGP_ERR_HTTP_MALFORMED');
  t.match(two, /connection: close/i);
  const list = await raw(port, 'POST /v1/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
  t.match(list, /^HTTP\/1\.1 400 /, 'one field listing identity, chunked too');
  const ok = await raw(port, 'POST /v1/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
  t.match(ok, /^HTTP\/1\.1 200 /, 'a single chunked is fine');
});

t.test('a client that stops reading for longer than idle_timeout: stream closed, request aborted', async (t) => {
  const events = ((globalThis as { __dgpBoundedEvents?: Array<Record<string, unknown>> }).__dgpBoundedEvents ??= []);
  const g = await startGateway(conf('name: test.stream\n                  config: {chunks: 100000, chunk_bytes: 65536}', '300ms'), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const sock = connect(g.gw.port('main'), '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  sock.write('GET /v1/x HTTP/1.1\r\nHost: a\r\nX-Request-Id: slow-reader-1\r\n\r\n');
  sock.pause(); // reads nothing: the kernel buffers fill, then the gateway's write buffer
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  sock.on('error', () => undefined);
  const started = performance.now();
  const end = await Promise.race([
    (async () => {
      while (!events.some((e) => e.id === 'slow-reader-1' && e.streamClosed)) await new Promise((r) => setTimeout(r, 25));
      return 'stream closed';
    })(),
    new Promise((r) => setTimeout(() => r('still open'), 5000)),
  ]);
  t.equal(end, 'stream closed', `the producer stopped after ${Math.round(performance.now() - started)} ms`);
  t.match(events.find((e) => e.id === 'slow-reader-1'), { aborted: true }, 'it saw ctx.signal abort (the proxy cancels its upstream the same way)');
  sock.resume();
  await closed;
  t.pass('the client connection was closed');
});
