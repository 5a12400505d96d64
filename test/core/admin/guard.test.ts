// The admin listener's guard as an attacker and an operator meet it, on a real socket: a cross-site form post, a
// DNS-rebinding Host, a foreign Origin, the admin token (missing, wrong, right), the open probes, and the config
// checks that refuse an exposed admin listener without a token.
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { adminRequest, JSON_TYPE } from '../../helpers/admin-call.js';
import { isAllowedHost, isLoopbackAddress, isTrustedOrigin } from '../../../core/admin/host-check.js';

const TOKEN = 'adm-0123456789abcdef';
const yaml = (admin = 'admin: {address: 127.0.0.1, port: 0}') => `
static_resources:
  listeners: []
  clusters: []
${admin}
`;
const reloads = async (port: number): Promise<string> => {
  const m = await adminRequest(port, '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  return /dgp_config_reloads_total\{result="success"\} (\d+)/.exec(m.text)?.[1] ?? '0';
};

t.test('without a token: loopback GETs work; cross-site posts and rebinding Hosts are refused', async (t) => {
  const g = await startGateway(yaml());
  t.teardown(() => g.close());
  const port = g.gw.adminAddress.port;

  const form = await adminRequest(port, '/reload', { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, body: 'x' });
  t.equal(form.status, 403, 'a cross-site text/plain POST /reload is refused');
  t.match(form.body, { error: { code: 'DGP_ERR_ADMIN_CROSS_SITE', message: /Content-Type: application\/json/ } });
  t.equal((await adminRequest(port, '/reload', { method: 'POST' })).status, 403, 'a bodiless POST (no-cors fetch) is refused');
  const foreign = await adminRequest(port, '/reload', { method: 'POST', headers: { ...JSON_TYPE, origin: 'https://evil.example' } });
  t.match(foreign, { status: 403, body: { error: { code: 'DGP_ERR_ADMIN_CROSS_SITE', message: /Origin "https:\/\/evil.example"/ } } });
  t.equal(await reloads(port), '0', 'no reload ran');

  const rebound = await adminRequest(port, '/config', { headers: { host: `rebind.evil.example:${port}` } });
  t.equal(rebound.status, 421, 'Host: rebind.evil.example is refused');
  t.match(rebound.body, { error: { code: 'DGP_ERR_ADMIN_HOST', message: /rebind\.evil\.example/ } });
  t.notMatch(rebound.text, /static_resources/);
  t.equal((await adminRequest(port, '/reload', { method: 'POST', headers: { ...JSON_TYPE, host: 'rebind.evil.example' } })).status, 421);
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'app.localhost']) {
    t.equal((await adminRequest(port, '/plugins', { headers: { host } })).status, 200, `Host ${host} is served`);
  }
  t.equal((await adminRequest(port, '/health', { headers: { host: 'rebind.evil.example' } })).status, 200, '/health answers any Host');

  const ok = await adminRequest(port, '/reload', { method: 'POST', headers: { ...JSON_TYPE, origin: `http://localhost:${port}` } });
  t.match(ok, { status: 200, body: { ok: true } }, 'a JSON POST from a same-host origin reloads');
  t.equal((await adminRequest(port, '/reload')).status, 405, 'mutations are POST-only');
  t.equal(await reloads(port), '1');
});

t.test('with admin.token: every endpoint but /health and /ready needs it', async (t) => {
  const g = await startGateway(yaml('admin: {address: 127.0.0.1, port: 0, token: "${DGP_ADMIN_TOKEN}", allowed_hosts: [admin.gw.internal, "*.svc.example"]}'), {
    env: { DGP_ADMIN_TOKEN: TOKEN },
  });
  t.teardown(() => g.close());
  const port = g.gw.adminAddress.port;
  for (const path of ['/', '/metrics', '/config', '/plugins']) {
    const res = await adminRequest(port, path);
    t.equal(res.status, 401, `${path} without the token`);
    t.match(res.body, { error: { code: 'DGP_ERR_ADMIN_UNAUTHORIZED', message: /Authorization: Bearer <admin.token>/ } });
    t.equal(res.headers['www-authenticate'], 'Bearer');
  }
  t.equal((await adminRequest(port, '/config', { headers: { authorization: 'Bearer adm-0123456789abcdeX' } })).status, 401, 'a wrong token');
  t.equal((await adminRequest(port, '/config', { headers: { authorization: `Bearer ${TOKEN}x` } })).status, 401, 'a longer token');
  t.equal((await adminRequest(port, '/reload', { method: 'POST', headers: JSON_TYPE })).status, 401, 'POST /reload as JSON but without the token');
  t.equal((await adminRequest(port, '/health')).status, 200);
  t.equal((await adminRequest(port, '/ready')).status, 200);

  const config = await adminRequest(port, '/config', { headers: { authorization: `Bearer ${TOKEN}` } });
  t.equal(config.status, 200, 'the right token');
  t.notMatch(config.text, new RegExp(TOKEN), 'GET /config never shows the token');
  t.equal((await adminRequest(port, '/config', { headers: { 'x-admin-token': TOKEN } })).status, 200, 'X-Admin-Token works too');
  const reload = await adminRequest(port, '/reload', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  t.match(reload, { status: 200, body: { ok: true } }, 'with the token, POST /reload needs no JSON content type');
  for (const host of ['admin.gw.internal', 'a.svc.example']) {
    t.equal((await adminRequest(port, '/config', { headers: { host, authorization: `Bearer ${TOKEN}` } })).status, 200, `allowed_hosts: ${host}`);
  }
  t.equal((await adminRequest(port, '/config', { headers: { host: 'svc.example.evil', authorization: `Bearer ${TOKEN}` } })).status, 421);
  const NEW = 'adm-NEW-0123456789abcdef';
  await g.writeConfig(yaml(`admin: {address: 127.0.0.1, port: 0, token: ${NEW}, allowed_hosts: [admin.gw.internal, "*.svc.example"]}`));
  const changed = await adminRequest(port, '/reload', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  t.match(changed, { status: 200, body: { ok: true, restartRequired: ['admin.token changed'] } }, 'a new token waits for a restart');
  t.notMatch(changed.text, /NEW/, 'the reload result does not show it');
  t.equal((await adminRequest(port, '/config', { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200, 'the running token still works');
  const logs = JSON.stringify(g.logs);
  t.notMatch(logs, new RegExp(TOKEN), 'the token never reaches the logs');
  t.notMatch(logs, /NEW-0123/);
});

t.test('an exposed admin listener without a token, or a short token, is refused at start', async (t) => {
  await t.rejects(startGateway(yaml('admin: {address: 0.0.0.0, port: 0}')), { code: 'DGP_ERR_ADMIN_TOKEN_REQUIRED', message: /binds 0\.0\.0\.0.*admin\.token is not set/s });
  await t.rejects(startGateway(yaml('admin: {address: 127.0.0.1, port: 0, token: short}')), { code: 'DGP_ERR_ADMIN_TOKEN_REQUIRED', message: /5 characters long; at least 16/ });
  const g = await startGateway(yaml(`admin: {address: 0.0.0.0, port: 0, token: ${TOKEN}}`));
  t.teardown(() => g.close());
  t.equal((await adminRequest(g.gw.adminAddress.port, '/plugins', { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200, 'with a token it starts');
  const off = await startGateway(yaml('admin: {enabled: false, address: 0.0.0.0}'));
  t.teardown(() => off.close());
  t.equal(off.gw.adminAddress.port, 0, 'a disabled admin listener needs no token');
});

t.test('host-check: which Host and Origin values are trusted', async (t) => {
  t.ok(isLoopbackAddress('127.0.0.1') && isLoopbackAddress('127.1.2.3') && isLoopbackAddress('::1') && isLoopbackAddress('localhost'));
  t.notOk(isLoopbackAddress('0.0.0.0') || isLoopbackAddress('::') || isLoopbackAddress('10.0.0.1') || isLoopbackAddress('127.evil.example'));
  t.ok(isAllowedHost('10.1.2.3:8889', '0.0.0.0', []), 'an IP literal cannot be rebound');
  t.ok(isAllowedHost('[fe80::1]:8889', '::', []));
  t.ok(isAllowedHost('gw-admin:8889', 'gw-admin', []), 'the bound name');
  t.ok(isAllowedHost('ADMIN.Example.:80', '127.0.0.1', ['admin.example']), 'case and a trailing dot do not matter');
  t.notOk(isAllowedHost(undefined, '127.0.0.1', []), 'no Host at all (HTTP/1.0) is refused');
  t.notOk(isAllowedHost('localhost.evil.example', '127.0.0.1', []));
  t.notOk(isAllowedHost('example', '127.0.0.1', ['*.example']), '*.x matches subdomains only');
  t.ok(isTrustedOrigin('http://127.0.0.1:8889', '127.0.0.1', []));
  t.notOk(isTrustedOrigin('null', '127.0.0.1', []), 'an opaque origin (sandboxed page, file:) is foreign');
  t.notOk(isTrustedOrigin('https://evil.example', '127.0.0.1', []));
});
