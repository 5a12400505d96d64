// protocol: etcd against a REAL etcd (test/helpers/etcd-server.ts): the initial listing, add / update / delete through
// the watch, invalid values, an etcd restart, a broken connection resumed from the last revision (no relist), a
// compacted revision (relist), and a silent partition found by the probe. One etcd serves every test, each under
// its own key prefix.
import t from 'tap';
import { startEtcd, type EtcdServer } from '../../../helpers/etcd-server.js';
import { createAdapter, waitFor, type Harness } from './harness.js';
import type { TapTest } from '../../../helpers/conformance.js';
import { TcpProxy } from './tcp-proxy.js';

let etcd: EtcdServer;
t.before(async () => {
  etcd = await startEtcd();
});
t.teardown(() => etcd?.close());

const ep = (port: number, extra: Record<string, unknown> = {}) => ({ socket_address: { address: '127.0.0.1', port }, llm_meta: { provider: 'openai' }, ...extra });

const etcdRegistry = (address: string, prefix: string, extra: Record<string, unknown> = {}) => ({
  e: { protocol: 'etcd', address, key_prefix: prefix, poll_interval: '5s', reconnect_min: '20ms', reconnect_max: '100ms', timeout: '1s', ...extra },
});

async function started(t: TapTest, registries: Record<string, unknown>): Promise<Harness> {
  const h = await createAdapter(registries);
  t.teardown(() => h.adapter.stop());
  await h.adapter.start();
  return h;
}

t.test('initial listing, then add, update and delete through the watch', async (t) => {
  await etcd.put('/t1/chat/a', ep(9001));
  await etcd.put('/t1/chat/b', ep(9002, { name: 'b', meta: { weight: '3' } }));
  await etcd.put('/t1/other/c', ep(9003));
  const h = await started(t, etcdRegistry(etcd.url, '/t1/'));
  t.same(h.endpoints('chat'), ['chat/a@127.0.0.1:9001', 'chat/b@127.0.0.1:9002'], 'listed before start() resolved');
  t.same(h.endpoints('other'), ['other/c@127.0.0.1:9003'], 'a cluster is created on first use');
  t.equal(h.clusters.getEndpoint('chat', 'a')!.source, 'etcd:e');
  t.equal(h.clusters.getEndpoint('chat', 'b')!.meta.weight, '3');
  t.match(h.status('e'), { protocol: 'etcd', state: 'ok', endpoints: 3, revision: String(await etcd.revision()) });

  await etcd.put('/t1/chat/d', ep(9004));
  await waitFor(() => h.clusters.getEndpoint('chat', 'd') !== undefined, 'an added key');
  await etcd.put('/t1/chat/a', ep(9011, { llm_meta: { provider: 'openai', fallback: true } }));
  await waitFor(() => h.clusters.getEndpoint('chat', 'a')?.port === 9011, 'an updated key');
  t.equal(h.clusters.getEndpoint('chat', 'a')!.llmMeta!.fallback, true);
  await etcd.del('/t1/chat/b');
  await waitFor(() => h.clusters.getEndpoint('chat', 'b') === undefined, 'a deleted key');
  t.same(h.endpoints('chat'), ['chat/a@127.0.0.1:9011', 'chat/d@127.0.0.1:9004']);
  const revision = String(await etcd.revision());
  await waitFor(() => h.status('e')!.revision === revision, 'the status follows the revision');
  t.equal(await h.metric('dgp_registry_endpoint_changes_total', { registry: 'e', change: 'add' }), 4);
  t.equal(await h.metric('dgp_registry_endpoint_changes_total', { registry: 'e', change: 'update' }), 1);
  t.equal(await h.metric('dgp_registry_endpoint_changes_total', { registry: 'e', change: 'remove' }), 1);
});

t.test('invalid values are skipped and counted; unhealthy:true leaves the endpoint out', async (t) => {
  await etcd.put('/t2/chat/good', ep(9001));
  await etcd.put('/t2/chat/broken', '{not json');
  await etcd.put('/t2/no-id', ep(9002));
  const h = await started(t, etcdRegistry(etcd.url, '/t2/'));
  t.same(h.endpoints('chat'), ['chat/good@127.0.0.1:9001']);
  t.match(h.status('e'), { state: 'ok', invalid_entries: 2 });

  await etcd.put('/t2/chat/good', { socket_address: { address: '127.0.0.1', port: 'eighty' } });
  await waitFor(() => h.clusters.getEndpoint('chat', 'good') === undefined, 'an update to an invalid value removes the endpoint (as a fresh listing would)');
  t.equal(h.status('e')!.invalid_entries, 3);
  await etcd.put('/t2/chat/good', ep(9001, { id: 'other-id' }));
  await etcd.put('/t2/chat/typo', ep(9005, { sokcet_address: {} }));
  await etcd.put('/t2/chat/sick', ep(9006, { unhealthy: true }));
  await etcd.put('/t2/chat/fine', ep(9007));
  await waitFor(() => h.clusters.getEndpoint('chat', 'fine') !== undefined, 'later events still apply');
  t.same(h.endpoints('chat'), ['chat/fine@127.0.0.1:9007'], 'a mismatched id, an unknown field and unhealthy:true register nothing');
  t.equal(h.status('e')!.invalid_entries, 4, 'good (wrong id), broken, no-id, typo');
  await etcd.del('/t2/chat/broken');
  await waitFor(() => h.status('e')!.invalid_entries === 3, 'deleting an invalid key forgets it');
});

t.test('an etcd restart: endpoints stay while it is down, the watch comes back', async (t) => {
  await etcd.put('/t3/chat/a', ep(9001));
  const h = await started(t, etcdRegistry(etcd.url, '/t3/', { poll_interval: '200ms' }));
  t.same(h.endpoints('chat'), ['chat/a@127.0.0.1:9001']);
  await etcd.stop();
  await waitFor(() => h.status('e')?.state === 'unreachable', 'reported unreachable');
  t.equal(h.status('e')!.last_error!.code, 'DGP_ERR_REGISTRY_UNREACHABLE');
  t.equal(await h.metric('dgp_registry_up', { registry: 'e' }), 0);
  t.same(h.endpoints('chat'), ['chat/a@127.0.0.1:9001'], 'the last known endpoint is kept');
  await etcd.start();
  await waitFor(() => h.status('e')?.state === 'ok', 'reconnected', 10_000);
  await etcd.put('/t3/chat/b', ep(9002));
  await waitFor(() => h.clusters.getEndpoint('chat', 'b') !== undefined, 'a change after the restart arrives');
  t.ok((await h.metric('dgp_registry_watch_reconnects_total', { registry: 'e' }))! >= 1, 'counted as a reconnect');
});

t.test('a cut connection resumes from the last revision: changes made meanwhile arrive, no relist', async (t) => {
  const proxy = await TcpProxy.start(etcd.port);
  t.teardown(() => proxy.close());
  await etcd.put('/t4/chat/a', ep(9001));
  await etcd.put('/t4/chat/b', ep(9002));
  const h = await started(t, etcdRegistry(`127.0.0.1:${proxy.port}`, '/t4/'));
  t.equal(await h.metric('dgp_registry_syncs_total', { registry: 'e', result: 'success' }), 1);
  proxy.cut();
  await waitFor(() => h.status('e')?.state === 'unreachable', 'the broken stream is noticed');
  await etcd.put('/t4/chat/c', ep(9003));
  await etcd.del('/t4/chat/a');
  proxy.heal();
  await waitFor(() => h.endpoints('chat').join() === 'chat/b@127.0.0.1:9002,chat/c@127.0.0.1:9003', 'both changes replayed from the revision');
  t.equal(h.status('e')!.state, 'ok');
  t.equal(await h.metric('dgp_registry_syncs_total', { registry: 'e', result: 'success' }), 1, 'resumed by the watch, not listed again');
  t.ok((await h.metric('dgp_registry_watch_reconnects_total', { registry: 'e' }))! >= 1);
});

t.test('a compacted revision: the prefix is listed again', async (t) => {
  const proxy = await TcpProxy.start(etcd.port);
  t.teardown(() => proxy.close());
  await etcd.put('/t5/chat/a', ep(9001));
  const h = await started(t, etcdRegistry(`127.0.0.1:${proxy.port}`, '/t5/'));
  proxy.cut();
  await waitFor(() => h.status('e')?.state === 'unreachable', 'the broken stream is noticed');
  await etcd.del('/t5/chat/a');
  const rev = await etcd.put('/t5/chat/b', ep(9002));
  await etcd.compact(rev);
  proxy.heal();
  await waitFor(() => h.endpoints('chat').join() === 'chat/b@127.0.0.1:9002', 'the relisted state');
  t.equal(await h.metric('dgp_registry_syncs_total', { registry: 'e', result: 'success' }), 2, 'a second listing');
  await etcd.put('/t5/chat/c', ep(9003));
  await waitFor(() => h.clusters.getEndpoint('chat', 'c') !== undefined, 'the new watch works');
});

t.test('a silent partition is found by the probe', async (t) => {
  const proxy = await TcpProxy.start(etcd.port);
  t.teardown(() => proxy.close());
  await etcd.put('/t6/chat/a', ep(9001));
  const h = await started(t, etcdRegistry(`127.0.0.1:${proxy.port}`, '/t6/', { poll_interval: '100ms', timeout: '300ms' }));
  proxy.freeze();
  await waitFor(() => h.status('e')?.state === 'unreachable', 'the probe times out and the stream is dropped');
  await etcd.put('/t6/chat/b', ep(9002));
  proxy.heal();
  await waitFor(() => h.clusters.getEndpoint('chat', 'b') !== undefined, 'the change arrives after the partition');
  t.same(h.endpoints('chat'), ['chat/a@127.0.0.1:9001', 'chat/b@127.0.0.1:9002']);
});
