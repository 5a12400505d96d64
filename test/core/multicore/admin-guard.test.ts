// `dgp start --workers 2`: the primary's admin listener runs the same guard as a single process (Host, cross-site,
// token; open probes; the dashboard page served, its data guarded), and forwards plugin admin routes to one worker, the first ready one.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { adminCall, pidConfig, startCluster } from './helpers.js';

const ADMIN_PLUGINS = fileURLToPath(new URL('../../fixtures/admin-plugins', import.meta.url));
const TOKEN = 'adm-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };

t.test('the primary guards its admin listener and forwards plugin routes to one worker', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dgp-multicore-admin-'));
  const yaml = pidConfig()
    .replace('admin: {address: 127.0.0.1, port: 0}', `admin: {address: 127.0.0.1, port: 0, token: ${TOKEN}}`)
    .replace('                - name: multicore.pid', '                - name: test.admin.echo\n                  config: {tag: mc}\n                - name: multicore.pid');
  writeFileSync(join(dir, 'conf.yaml'), yaml);
  const c = await startCluster(t, dir, ['--no-watch', '--plugin-dir', ADMIN_PLUGINS]);

  t.equal((await adminCall(c.admin, '/health', 'GET', { host: 'rebind.evil.example' })).status, 200, '/health is open');
  t.match(await adminCall(c.admin, '/config', 'GET', { ...AUTH, host: 'rebind.evil.example' }), { status: 421, body: { error: { code: 'DGP_ERR_ADMIN_HOST' } } });
  t.match(await adminCall(c.admin, '/config'), { status: 401, body: { error: { code: 'DGP_ERR_ADMIN_UNAUTHORIZED' } } });
  t.match(await adminCall(c.admin, '/reload', 'POST', { 'content-type': 'text/plain' }, 'x'), { status: 403, body: { error: { code: 'DGP_ERR_ADMIN_CROSS_SITE' } } }, 'a cross-site text/plain POST /reload');
  t.match(await adminCall(c.admin, '/reload', 'POST'), { status: 401 }, 'JSON but no token');
  t.match(await adminCall(c.admin, '/reload', 'POST', AUTH), { status: 200, body: { ok: true, generation: 2 } });

  // The web dashboard: the static page without the token (it asks for it), behind the Host check; its data needs it.
  const page = await adminCall(c.admin, '/dashboard');
  t.equal(page.status, 200, 'the primary serves the dashboard page');
  t.match(page.text, '<body data-token-required="true">');
  t.match(await adminCall(c.admin, '/dashboard', 'GET', { host: 'rebind.evil.example' }), { status: 421 });
  t.match(await adminCall(c.admin, '/metrics'), { status: 401 }, 'the data the page reads needs the token');

  const info = await adminCall(c.admin, '/admin/v1/echo/info', 'GET', AUTH);
  t.match(info, { status: 200, body: { tag: 'mc', pid: c.pids[0] } }, 'worker 1 answers a plugin route');
  t.match(await adminCall(c.admin, '/admin/v1/echo/info'), { status: 401, body: { error: { code: 'DGP_ERR_ADMIN_UNAUTHORIZED' } } }, 'route auth holds behind the primary');
  const minted = await adminCall(c.admin, '/key/generate', 'POST', { authorization: 'Bearer sk-master-test-0123456789' }, '{"team":"a"}');
  t.match(minted, { status: 200, body: { key: 'sk-new', request: { team: 'a' } } }, 'the body reaches the worker');
  const index = await adminCall(c.admin, '/', 'GET', AUTH);
  t.ok(index.body.routes.some((r: { path: string; kind: string }) => r.path === '/admin/v1/echo/info' && r.kind === 'test.admin.echo'), 'GET / lists the workers\' routes');

  c.child.kill('SIGTERM');
  t.same(await c.exited, { code: 0, signal: null });
});
