// Listener limits and hostile clients: 413 before the body is read, 413 for oversized chunked bodies, 431, 408,
// malformed JSON, garbage bytes and smuggling attempts — none of them crash the process or reach a filter.
import net from 'node:net';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { request } from 'undici';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';

const PLUGINS = fileURLToPath(new URL('../../fixtures/host-plugins', import.meta.url));
const yaml = (listenerConfig: string) => `
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
                  - match: {prefix: /}
                    route: {cluster: c}
              http_filters:
                - name: test.responder
                  config: {mode: read-body}
      config: ${listenerConfig}
  clusters:
    - name: c
      endpoints:
        - id: e1
          socket_address: {address: 127.0.0.1, port: 9}
`;

/** Sends raw bytes and returns everything the server answered before closing (bounded by `ms`). */
function raw(g: TestGateway, bytes: string | Buffer, ms = 3000): Promise<string> {
  const port = Number(new URL(g.url()).port);
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => sock.destroy(), ms);
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    sock.on('error', () => undefined);
    sock.write(bytes);
  });
}

t.test('limits', async (t) => {
  const g = await startGateway(yaml('{max_body_bytes: 1024, max_header_bytes: 2048, headers_timeout: 500ms, read_timeout: 1s}'), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());

  t.test('413 from Content-Length, before the body is read', async (t) => {
    const out = await raw(g, 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20000000\r\n\r\n');
    t.match(out, /^HTTP\/1\.1 413 /);
    t.match(out, /DGP_ERR_HTTP_BODY_TOO_LARGE/);
  });

  t.test('413 for a chunked body that grows past the limit', async (t) => {
    const big = JSON.stringify({ pad: 'x'.repeat(4000) });
    const res = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body: Readable.from([Buffer.from(big)]) });
    t.equal(res.statusCode, 413);
    t.equal(((await res.body.json()) as { code: string }).code, 'DGP_ERR_HTTP_BODY_TOO_LARGE', 'Pixiu shape: no renderer on this chain');
  });

  t.test('400 with a code for malformed JSON', async (t) => {
    const res = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body: '{"model": ' });
    t.equal(res.statusCode, 400);
    const body = (await res.body.json()) as { status: number; code: string; error: string };
    t.equal(body.code, 'DGP_ERR_HTTP_BAD_JSON');
    t.equal(body.status, 400);
    t.match(body.error, 'not valid JSON');
  });

  t.test('431 for oversized headers', async (t) => {
    const out = await raw(g, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
    t.match(out, /^HTTP\/1\.1 431 /);
  });

  t.test('408 when headers never complete (slowloris)', async (t) => {
    const started = Date.now();
    const out = await raw(g, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n', 5000);
    t.match(out, /^HTTP\/1\.1 408 /);
    t.ok(Date.now() - started < 4000, 'closed by the headers timeout, not by the test');
  });

  t.test('408 when the body never completes', async (t) => {
    const out = await raw(g, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":', 5000);
    t.match(out, /HTTP\/1\.1 408 /);
  });

  t.test('garbage bytes and smuggling attempts get 400 and a closed connection', async (t) => {
    const attempts = [
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n',
      'NOT HTTP AT ALL\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunkedx\r\n\r\n0\r\n\r\n',
      'GET / HTTP/1.1\r\nHost : x\r\n\r\n',
    ];
    for (const a of attempts) {
      const out = await raw(g, a);
      t.match(out, /^HTTP\/1\.1 400 /, JSON.stringify(a.slice(0, 40)));
    }
    const ok = await request(`${g.url()}/v1/chat/completions`, { method: 'POST', body: '{"a":1}' });
    t.same(await ok.body.json(), { received: { a: 1 } }, 'still serving');
  });
});
