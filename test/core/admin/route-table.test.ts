// The admin route table's load-time rules: malformed specs are refused with a coded error, a plugin created twice in
// one generation keeps its first route, literal segments win over captures, and nothing mounts after seal().
import t from 'tap';
import { pino } from 'pino';
import { AdminRouteTable } from '../../../core/admin/route-table.js';
import { callAdminRoute } from '../../../core/admin/route-call.js';
import type { AdminRouteSpec } from '../../../core/index.js';

const handler = (body: unknown) => () => ({ body });
const call = (table: AdminRouteTable, method: string, path: string) =>
  callAdminRoute(table, { method, path, query: '', headers: {}, body: '', authenticated: false, tokenRequired: false }, pino({ level: 'silent' }));

t.test('malformed specs are refused', async (t) => {
  const api = new AdminRouteTable().scope('test.kind');
  const bad: Array<[Partial<AdminRouteSpec>, RegExp]> = [
    [{ method: 'TRACE' as 'GET', path: '/admin/v1/x' }, /method must be one of GET, POST, PUT, PATCH, DELETE/],
    [{ method: 'GET', path: 'admin/v1/x' }, /path must start with \//],
    [{ method: 'GET', path: '/admin/v1/x/' }, /no trailing \//],
    [{ method: 'GET', path: '/admin/v1/x?y=1' }, /no query/],
    [{ method: 'GET', path: '/admin/v1/x', auth: 'none' as 'open' }, /auth must be one of admin, master-key, open/],
    [{ method: 'GET', path: '/admin/v1/x', maxBodyBytes: 2 * 1024 * 1024 }, /maxBodyBytes/],
  ];
  for (const [spec, message] of bad) {
    t.throws(() => api.route({ handler: handler(1), ...spec } as AdminRouteSpec), { code: 'DGP_ERR_ADMIN_ROUTE_INVALID', message }, String(spec.path));
  }
  t.throws(() => api.route({ method: 'GET', path: '/admin/v1/x' } as AdminRouteSpec), { message: /test\.kind: admin route GET \/admin\/v1\/x: handler must be a function/ });
});

t.test('one plugin twice keeps its first route; literals beat captures; sealed means closed', async (t) => {
  const table = new AdminRouteTable();
  const a = table.scope('test.a');
  a.route({ method: 'GET', path: '/admin/v1/a/:id', handler: handler('capture') });
  a.route({ method: 'GET', path: '/admin/v1/a/:id', handler: handler('second instance') });
  a.route({ method: 'GET', path: '/admin/v1/a/me', handler: handler('literal') });
  table.seal();
  t.same((await call(table, 'GET', '/admin/v1/a/42')).body, 'capture');
  t.same((await call(table, 'GET', '/admin/v1/a/me')).body, 'literal');
  t.equal(table.list().length, 2);
  t.throws(() => a.route({ method: 'GET', path: '/admin/v1/a/late', handler: handler(1) }), { code: 'DGP_ERR_ADMIN_ROUTE_INVALID', message: /after create\(\) finished/ });
});

t.test('overlapping routes of two plugins and host paths are conflicts, all reported at seal()', async (t) => {
  const table = new AdminRouteTable();
  table.scope('test.a').route({ method: 'GET', path: '/admin/v1/keys/:id', handler: handler(1) });
  table.scope('test.b').route({ method: 'GET', path: '/admin/v1/keys/list', handler: handler(2) });
  table.scope('test.b').route({ method: 'POST', path: '/admin/v1/keys/list', handler: handler(3) });
  table.scope('test.c').route({ method: 'GET', path: '/metrics', handler: handler(4) });
  table.scope('test.c').route({ method: 'GET', path: '/admin/v1', handler: handler(5) });
  t.throws(() => table.seal(), {
    code: 'DGP_ERR_ADMIN_ROUTE_CONFLICT',
    message: /GET \/admin\/v1\/keys\/list is claimed by both test\.a \(GET \/admin\/v1\/keys\/:id\) and test\.b; test\.c claims GET \/metrics, which belongs to the host.*; test\.c claims GET \/admin\/v1, /,
  });
});
