// protocol: nacos against the local fake Nacos (test/helpers/fake-nacos.ts): login and token refresh, add / update /
// remove, a service that disappears, a down server that keeps the last known endpoints (status and metrics say so),
// failover across servers, namespace and group, and a refused login reported as DGP_ERR_REGISTRY_AUTH.
import t from 'tap';
import { FakeNacos, type FakeInstance } from '../../../helpers/fake-nacos.js';
import { createAdapter, waitFor } from './harness.js';

const llm = (ip: string, port: number, md: Record<string, string> = {}, extra: Partial<FakeInstance> = {}): FakeInstance => ({
  ip,
  port,
  ...extra,
  metadata: { cluster: 'chat', 'llm-meta.provider': 'openai', ...md },
});

const nacosRegistry = (address: string, extra: Record<string, unknown> = {}) => ({
  n: { protocol: 'nacos', address, poll_interval: '40ms', reconnect_min: '20ms', reconnect_max: '40ms', timeout: '1s', ...extra },
});

t.test('add, update, remove, and a service that disappears', async (t) => {
  const nacos = await FakeNacos.start();
  nacos.setInstances('deepseek', [llm('127.0.0.1', 9001, { id: 'ds-1' }), llm('127.0.0.1', 9002, { id: 'ds-2' })]);
  const h = await createAdapter(nacosRegistry(nacos.address));
  t.teardown(async () => (await h.adapter.stop(), await nacos.close()));

  await h.adapter.start();
  t.same(h.endpoints('chat'), ['chat/ds-1@127.0.0.1:9001', 'chat/ds-2@127.0.0.1:9002'], 'the first poll ran before start() resolved');
  t.equal(h.clusters.getEndpoint('chat', 'ds-1')!.source, 'nacos:n');
  t.match(h.status('n'), { protocol: 'nacos', state: 'ok', endpoints: 2, last_error: null });
  t.equal(await h.metric('dgp_registry_up', { registry: 'n' }), 1);
  t.equal(await h.metric('dgp_registry_endpoint_changes_total', { registry: 'n', change: 'add' }), 2);

  nacos.setInstances('qwen', [llm('127.0.0.1', 9003, { id: 'qw-1', cluster: 'chat' })]);
  await waitFor(() => h.endpoints('chat').length === 3, 'a new service is picked up');

  nacos.setInstances('deepseek', [llm('127.0.0.1', 9001, { id: 'ds-1', 'llm-meta.fallback': 'true' }), llm('127.0.0.1', 9002, { id: 'ds-2' }, { healthy: false })]);
  await waitFor(() => h.clusters.getEndpoint('chat', 'ds-1')?.llmMeta?.fallback === true, 'an updated instance is applied');
  await waitFor(() => h.clusters.getEndpoint('chat', 'ds-2') === undefined, 'an unhealthy instance is removed');

  nacos.removeService('qwen');
  await waitFor(() => h.clusters.getEndpoint('chat', 'qw-1') === undefined, 'a service that disappears takes its endpoints (Pixiu keeps them)');
  t.same(h.endpoints('chat'), ['chat/ds-1@127.0.0.1:9001']);
  t.equal(await h.metric('dgp_registry_endpoint_changes_total', { registry: 'n', change: 'remove' }), 2);
  t.equal(await h.metric('dgp_registry_endpoints', { registry: 'n' }), 1);
});

t.test('an unreachable Nacos keeps the last known endpoints and says so', async (t) => {
  const nacos = await FakeNacos.start();
  nacos.setInstances('deepseek', [llm('127.0.0.1', 9001, { id: 'ds-1' })]);
  const h = await createAdapter(nacosRegistry(nacos.address));
  t.teardown(async () => (await h.adapter.stop(), await nacos.close()));
  await h.adapter.start();
  t.equal(h.endpoints('chat').length, 1);

  nacos.setDown(true);
  await waitFor(() => h.status('n')?.state === 'unreachable', 'the status turns unreachable');
  t.match(h.status('n')!.last_error, { code: 'DGP_ERR_REGISTRY_UNREACHABLE', message: /nacos|failed/ });
  t.equal(await h.metric('dgp_registry_up', { registry: 'n' }), 0);
  t.ok((await h.metric('dgp_registry_syncs_total', { registry: 'n', result: 'failure' }))! >= 1);
  t.same(h.endpoints('chat'), ['chat/ds-1@127.0.0.1:9001'], 'the endpoint is still registered');

  nacos.setInstances('deepseek', [llm('127.0.0.1', 9005, { id: 'ds-1' })]);
  nacos.setDown(false);
  await waitFor(() => h.status('n')?.state === 'ok', 'back to ok');
  await waitFor(() => h.endpoints('chat')[0] === 'chat/ds-1@127.0.0.1:9005', 'the change made meanwhile is applied');
});

t.test('login: the token goes on every call and is refreshed before tokenTtl runs out', async (t) => {
  const nacos = await FakeNacos.start({ auth: { username: 'nacos', password: 's3cret', tokenTtlSeconds: 1 } });
  nacos.setInstances('deepseek', [llm('127.0.0.1', 9001, { id: 'ds-1' })]);
  const h = await createAdapter(nacosRegistry(nacos.address, { username: 'nacos', password: 's3cret' }));
  t.teardown(async () => (await h.adapter.stop(), await nacos.close()));
  await h.adapter.start();
  t.same(h.endpoints('chat'), ['chat/ds-1@127.0.0.1:9001']);
  t.equal(nacos.count('/v1/auth/login', 200), 1, 'one login');
  t.ok(nacos.calls.filter((c) => c.path.endsWith('/ns/service/list')).every((c) => c.query.accessToken?.startsWith('fake.')), 'the accessToken is sent');
  await waitFor(() => nacos.count('/v1/auth/login', 200) >= 2, 'a second login after 90 % of the 1 s ttl', 3000);
  t.equal(nacos.count('/ns/service/list', 403) + nacos.count('/ns/instance/list', 403), 0, 'no call ever ran with an expired token');

  nacos.revokeTokens();
  const logins = nacos.count('/v1/auth/login', 200);
  await waitFor(() => nacos.count('/v1/auth/login', 200) > logins && h.status('n')?.state === 'ok', 'a 403 (token invalid) logs in again at once');
  t.equal(h.status('n')!.state, 'ok');
});

t.test('a refused login is reported as DGP_ERR_REGISTRY_AUTH', async (t) => {
  const nacos = await FakeNacos.start({ auth: { username: 'nacos', password: 's3cret' } });
  nacos.setInstances('deepseek', [llm('127.0.0.1', 9001, { id: 'ds-1' })]);
  const h = await createAdapter(nacosRegistry(nacos.address, { username: 'nacos', password: 'wrong' }));
  t.teardown(async () => (await h.adapter.stop(), await nacos.close()));
  await h.adapter.start();
  t.match(h.status('n'), { state: 'unreachable', last_error: { code: 'DGP_ERR_REGISTRY_AUTH', message: /nacos login as "nacos" answered 403: unknown user!/ } });
  t.same(h.endpoints('chat'), []);
});

t.test('namespace, group, failover to the second server, and instances without a cluster', async (t) => {
  const nacos = await FakeNacos.start();
  nacos.setInstances('svc', [llm('127.0.0.1', 9001, { id: 'a' }), { ip: '127.0.0.1', port: 9002, metadata: { id: 'no-cluster' } }], 'llm_group', 'dev');
  nacos.setInstances('svc', [llm('127.0.0.1', 9009, { id: 'wrong-namespace' })], 'llm_group');
  // The first server refuses connections: a port that was free a moment ago.
  const dead = await FakeNacos.start();
  const deadAddress = dead.address;
  await dead.close();
  const h = await createAdapter(nacosRegistry(`${deadAddress},http://${nacos.address}`, { namespace: 'dev', group: 'llm_group' }));
  t.teardown(async () => (await h.adapter.stop(), await nacos.close()));
  await h.adapter.start();
  t.same(h.endpoints('chat'), ['chat/a@127.0.0.1:9001']);
  t.match(nacos.calls.find((c) => c.path.endsWith('/ns/instance/list'))!.query, { namespaceId: 'dev', groupName: 'llm_group', serviceName: 'svc', healthyOnly: 'false' });
  t.match(h.status('n'), { state: 'ok', invalid_entries: 1 });
});

t.test('stop() ends polling; the endpoints stay for the next generation', async (t) => {
  const nacos = await FakeNacos.start();
  nacos.setInstances('deepseek', [llm('127.0.0.1', 9001, { id: 'ds-1' })]);
  const h = await createAdapter(nacosRegistry(nacos.address));
  t.teardown(() => nacos.close());
  await h.adapter.start();
  await h.adapter.stop();
  const calls = nacos.calls.length;
  nacos.removeService('deepseek');
  await new Promise((r) => setTimeout(r, 150));
  t.equal(nacos.calls.length, calls, 'no call after stop()');
  t.same(h.endpoints('chat'), ['chat/ds-1@127.0.0.1:9001']);
  t.equal(h.status('n'), undefined, 'the registry left the status board');
  t.equal(await h.metric('dgp_registry_up', { registry: 'n' }), undefined, 'and its gauges');
  await h.adapter.stop();
  t.pass('stop() twice is fine');
});
