// Plugin admin routes through a real admin listener: mounted by fixture plugins' create(), reachable behind the
// guard, listed by GET /, replaced on reload, gone when the plugin leaves the config, and a conflict between two
// plugins fails the load naming both kinds.
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Gateway } from '../../../core/gateway.js';
import { startGateway } from '../../helpers/gateway.js';
import { adminRequest, JSON_TYPE } from '../../helpers/admin-call.js';

const PLUGINS = fileURLToPath(new URL('../../fixtures/admin-plugins', import.meta.url));
const TOKEN = 'adm-0123456789abcdef';
const MASTER = 'sk-master-test-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

const conf = (filters: string, admin = 'admin: {address: 127.0.0.1, port: 0}') => `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes: [{match: {prefix: /}, route: {cluster: c}}]
              http_filters:${filters}
  clusters:
    - name: c
      endpoints: [{id: e1, socket_address: {address: 127.0.0.1, port: 9}}]
${admin}
`;
const echo = (tag: string) => `\n                - name: test.admin.echo\n                  config: {tag: ${tag}}`;
const rival = (path: string) => `\n                - name: test.admin.rival\n                  config: {path: "${path}"}`;
const reload = (port: number) => adminRequest(port, '/reload', { method: 'POST', headers: AUTH });

t.test('a plugin route: reachable, guarded, listed, replaced on reload, removed with its plugin', async (t) => {
  const g = await startGateway(conf(echo('v1'), `admin: {address: 127.0.0.1, port: 0, token: ${TOKEN}}`), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const port = g.gw.adminAddress.port;

  t.match(await adminRequest(port, '/admin/v1/echo/info', { headers: AUTH }), { status: 200, body: { tag: 'v1', pid: process.pid } });
  const posted = await adminRequest(port, '/admin/v1/echo/items?limit=5&x=1', { method: 'POST', headers: { ...AUTH, ...JSON_TYPE }, body: '{"name":"a"}' });
  t.match(posted, { status: 201, body: { received: { name: 'a' }, query: { limit: '5', x: '1' } } }, 'the parsed body and query reach the handler');
  t.match(await adminRequest(port, '/admin/v1/echo/items/k%2F1', { headers: AUTH }), { status: 200, body: { id: 'k/1' } }, ':id captures one segment');

  t.match(await adminRequest(port, '/admin/v1/echo/info'), { status: 401, body: { error: { code: 'DGP_ERR_ADMIN_UNAUTHORIZED' } } }, "auth 'admin' needs the admin token");
  t.match(await adminRequest(port, '/admin/v1/echo/info', { headers: { ...AUTH, host: 'rebind.evil.example' } }), { status: 421 }, 'the Host check runs first');
  t.match(await adminRequest(port, '/admin/v1/echo/open'), { status: 200, body: { tag: 'v1' } }, "auth 'open' needs no token");
  const form = await adminRequest(port, '/key/generate', { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${MASTER}` }, body: '{}' });
  t.match(form, { status: 403, body: { error: { code: 'DGP_ERR_ADMIN_CROSS_SITE' } } }, 'a cross-site form post to an alias is refused');
  t.match(await adminRequest(port, '/key/generate', { method: 'POST', headers: JSON_TYPE, body: '{}' }), { status: 401, body: { error: { code: 'DGP_ERR_ADMIN_UNAUTHORIZED', message: /master key/ } } }, "auth 'master-key': no Authorization");
  t.match(await adminRequest(port, '/key/generate', { method: 'POST', headers: { ...JSON_TYPE, authorization: 'Bearer sk-wrong' }, body: '{}' }), { status: 401, body: { error: { code: 'TEST_ERR_MASTER_KEY' } } }, 'the plugin checks its key');
  const minted = await adminRequest(port, '/key/generate', { method: 'POST', headers: { ...JSON_TYPE, authorization: `Bearer ${MASTER}` }, body: '{"models":["gpt-4o"]}' });
  t.match(minted, { status: 200, body: { key: 'sk-new', request: { models: ['gpt-4o'] } } }, 'the LiteLLM-style alias with its master key');
  t.match(await adminRequest(port, '/key/generate', { method: 'POST', headers: { 'x-admin-token': TOKEN }, body: '' }), { status: 200, body: { key: 'sk-new' } }, 'the admin token is flagged to the plugin');

  t.match(await adminRequest(port, '/admin/v1/echo/fail', { headers: AUTH }), { status: 500, body: { error: { code: 'DGP_ERR_ADMIN_ROUTE_FAILED', message: /test\.admin\.echo: GET \/admin\/v1\/echo\/fail failed: handler bug/ } } });
  t.ok(g.logs.some((l) => l.msg === 'admin route handler failed' && l.kind === 'test.admin.echo'), 'the bug is logged');
  t.match(await adminRequest(port, '/admin/v1/echo/fail?coded=1', { headers: AUTH }), { status: 409, body: { error: { code: 'TEST_ERR_TAKEN', message: 'item is taken' } } });
  t.match(await adminRequest(port, '/admin/v1/echo/items', { method: 'POST', headers: { ...AUTH, ...JSON_TYPE }, body: '{"a":' }), { status: 400, body: { error: { code: 'DGP_ERR_HTTP_BAD_JSON' } } });
  t.match(await adminRequest(port, '/admin/v1/echo/items', { method: 'POST', headers: { ...AUTH, ...JSON_TYPE }, body: JSON.stringify({ a: 'x'.repeat(300) }) }), { status: 413, body: { error: { code: 'DGP_ERR_HTTP_BODY_TOO_LARGE' } } }, 'maxBodyBytes');
  const announced = { ...AUTH, ...JSON_TYPE, 'content-length': String(2 * 1024 * 1024) };
  t.match(await adminRequest(port, '/admin/v1/echo/items', { method: 'POST', headers: announced }), { status: 413, headers: { connection: 'close' } }, 'over 1 MiB by content-length, answered before the body');
  const chunked = await new Promise<number>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/admin/v1/echo/items', method: 'POST', agent: false, headers: { ...AUTH, ...JSON_TYPE, 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    // One byte over, so the whole body is sent before the answer (a client still writing when the server closes may
    // see a reset instead of the 413).
    for (let i = 0; i < 16; i++) req.write('x'.repeat(64 * 1024));
    req.end('x');
  });
  t.equal(chunked, 413, 'over 1 MiB while streaming');
  t.match(await adminRequest(port, '/admin/v1/echo/info', { method: 'DELETE', headers: AUTH }), { status: 405, headers: { allow: 'GET' } });
  t.match(await adminRequest(port, '/admin/v1/nothing', { headers: AUTH }), { status: 404, body: { error: { code: 'DGP_ERR_ADMIN_NOT_FOUND', message: /GET \/ lists them/ } } });

  const index = await adminRequest(port, '/', { headers: AUTH });
  t.equal(index.status, 200);
  t.match(index.body.endpoints, [{ method: 'GET', path: '/' }, { path: '/health' }, { path: '/ready' }, { path: '/metrics' }, { path: '/config' }, { path: '/plugins' }, { method: 'GET', path: '/admin/v1/clusters' }, { method: 'POST', path: '/reload' }]);
  t.match(index.body.routes, [{ method: 'GET', path: '/admin/v1/echo/info', auth: 'admin', kind: 'test.admin.echo', description: 'tag and pid' }]);
  t.ok(index.body.routes.some((r: { path: string; auth: string }) => r.path === '/key/generate' && r.auth === 'master-key'));

  await g.writeConfig(conf(echo('v2'), `admin: {address: 127.0.0.1, port: 0, token: ${TOKEN}}`));
  t.match(await reload(port), { status: 200, body: { ok: true } });
  t.match(await adminRequest(port, '/admin/v1/echo/info', { headers: AUTH }), { status: 200, body: { tag: 'v2' } }, 'the new generation answers');

  await g.writeConfig(conf(rival('/admin/v1/other/x'), `admin: {address: 127.0.0.1, port: 0, token: ${TOKEN}}`));
  t.match(await reload(port), { status: 200, body: { ok: true } });
  t.match(await adminRequest(port, '/admin/v1/echo/info', { headers: AUTH }), { status: 404 }, 'gone with its plugin');
  t.match(await adminRequest(port, '/key/generate', { method: 'POST', headers: AUTH }), { status: 404 });
  t.same((await adminRequest(port, '/', { headers: AUTH })).body.routes.map((r: { path: string }) => r.path), ['/admin/v1/other/x']);
});

t.test('two plugins claiming one route fail the load, naming both kinds', async (t) => {
  const g = await startGateway(conf(echo('v1')), { pluginDirs: [PLUGINS] });
  t.teardown(() => g.close());
  const port = g.gw.adminAddress.port;
  await g.writeConfig(conf(echo('v2') + rival('/key/generate')));
  const bad = await adminRequest(port, '/reload', { method: 'POST', headers: JSON_TYPE });
  t.equal(bad.status, 422);
  t.match(bad.body, { ok: false, code: 'DGP_ERR_ADMIN_ROUTE_CONFLICT', error: /POST \/key\/generate is claimed by both test\.admin\.echo .* and test\.admin\.rival/ });
  t.match(await adminRequest(port, '/admin/v1/echo/info'), { status: 200, body: { tag: 'v1' } }, 'the previous routes keep serving');

  await g.writeConfig(conf(rival('/reload')));
  t.match(await adminRequest(port, '/reload', { method: 'POST', headers: JSON_TYPE }), { status: 422, body: { code: 'DGP_ERR_ADMIN_ROUTE_CONFLICT', error: /test\.admin\.rival claims POST \/reload, which belongs to the host/ } });

  await t.rejects(
    Gateway.start({ configDir: g.dir, pluginDirs: [PLUGINS], env: {}, log: g.gw.log }),
    { code: 'DGP_ERR_ADMIN_ROUTE_CONFLICT' },
    'at start too',
  );
});
