// GET /admin/v1/openapi.json describes the admin API as it runs: every host endpoint and every plugin route mounted
// (the keys filter's, the cache's), and the real answers of the described GET endpoints match their schemas.
import t from 'tap';
import { Compile } from 'typebox/compile';
import { request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';
import { keysGatewayYaml } from '../../filters/llm/keys/helpers.js';

const MASTER = 'sk-master-0123456789abcdef';

type Doc = { openapi: string; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>; components: { schemas: Record<string, unknown> } };

/** The schema with every `#/components/schemas/X` reference replaced by X. */
function deref(s: unknown, components: Record<string, unknown>): unknown {
  if (Array.isArray(s)) return s.map((x) => deref(x, components));
  if (s === null || typeof s !== 'object') return s;
  const o = s as Record<string, unknown>;
  if (typeof o.$ref === 'string') return deref(components[o.$ref.replace('#/components/schemas/', '')], components);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, deref(v, components)]));
}

t.test('the document lists every admin route and the real answers match it', async (t) => {
  const adapters = '    - {id: keystore, name: dgp.adapter.store.sqlite, config: {path: data/keys.db}}\n';
  const keys = `                    store: keystore\n                    master_key: ${MASTER}\n`;
  const middle = '\n                - name: dgp.filter.llm.cache\n                  config: {scope: global}';
  const g = await startGateway(keysGatewayYaml({ keys, provider: 'openai', port: 9, adapters, middle }));
  t.teardown(() => g.close());
  const get = async (path: string, auth = true) => {
    const res = await request(`${g.adminUrl}${path}`, { headers: auth ? { authorization: `Bearer ${MASTER}` } : {} });
    return { status: res.statusCode, type: String(res.headers['content-type']), body: await res.body.text() };
  };
  await request(`${g.adminUrl}/admin/v1/keys`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: JSON.stringify({ alias: 'ci' }) }).then((r) => r.body.dump());

  const doc = JSON.parse((await get('/admin/v1/openapi.json')).body) as Doc;
  t.equal(doc.openapi, '3.1.0');
  const index = JSON.parse((await get('/')).body) as { endpoints: Array<{ method: string; path: string }>; routes: Array<{ method: string; path: string }> };
  for (const e of [...index.endpoints, ...index.routes]) {
    const path = e.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    t.ok(doc.paths[path]?.[e.method.toLowerCase()], `${e.method} ${e.path} is described`);
  }
  t.ok(index.routes.some((r) => r.path === '/admin/v1/cache'), 'the cache purge route is mounted (and so described)');
  t.ok(index.routes.some((r) => r.path === '/admin/v1/keys/:id'), 'the keys routes are mounted');

  const checked: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const schema = ops.get?.responses['200']?.content?.['application/json']?.schema;
    if (!schema || path.includes('{') || path === '/admin/v1/budgets' || path === '/admin/v1/spend' || path.startsWith('/key/') || path.startsWith('/team/') || path.startsWith('/user/')) continue;
    const res = await get(path);
    t.equal(res.status, 200, `GET ${path} answers 200`);
    const check = Compile(deref(schema, doc.components.schemas) as never);
    const value = JSON.parse(res.body) as unknown;
    t.ok(check.Check(value), `GET ${path} matches its schema`, { errors: [...check.Errors(value)].slice(0, 3) });
    checked.push(path);
  }
  t.ok(checked.length >= 8, `checked ${checked.join(', ')}`);
  const keyId = (JSON.parse((await get('/admin/v1/keys')).body) as { items: Array<{ id: string }> }).items[0]!.id;
  const one = JSON.parse((await get(`/admin/v1/keys/${keyId}`)).body) as unknown;
  t.ok(Compile(deref(doc.components.schemas.Key, doc.components.schemas) as never).Check(one), 'GET /admin/v1/keys/{id} matches Key');
  t.equal((await get('/admin/v1/openapi.json', false)).status, 200, 'no admin token is configured here: the document is served like every other endpoint');
});
