// protocol: etcd with authentication on, against a REAL etcd: the adapter logs in (/v3/auth/authenticate) and sends
// the token on the range and the watch; a wrong password or no user is reported as DGP_ERR_REGISTRY_AUTH.
import t from 'tap';
import { startEtcd, type EtcdServer } from '../../../helpers/etcd-server.js';
import { createAdapter, waitFor } from './harness.js';

let etcd: EtcdServer;
t.before(async () => {
  etcd = await startEtcd();
  await etcd.put('/auth/chat/a', { socket_address: { address: '127.0.0.1', port: 9001 } });
  await etcd.enableAuth('rootpw');
});
t.teardown(() => etcd?.close());

const registry = (extra: Record<string, unknown>) => ({
  e: { protocol: 'etcd', address: etcd.url, key_prefix: '/auth/', reconnect_min: '20ms', reconnect_max: '100ms', timeout: '1s', ...extra },
});

t.test('with the right password: listed and watched', async (t) => {
  const h = await createAdapter(registry({ username: 'root', password: 'rootpw' }));
  t.teardown(() => h.adapter.stop());
  await h.adapter.start();
  t.same(h.endpoints('chat'), ['chat/a@127.0.0.1:9001']);
  await etcd.put('/auth/chat/b', { socket_address: { address: '127.0.0.1', port: 9002 } });
  await waitFor(() => h.clusters.getEndpoint('chat', 'b') !== undefined, 'the watch runs with the token');
  t.equal(h.status('e')!.state, 'ok');
});

for (const [label, extra, message] of [
  ['a wrong password', { username: 'root', password: 'nope' }, /etcd login as "root" answered 400: .*authentication failed/],
  ['no user', {}, /user name is empty/],
] as const) {
  t.test(`${label}: DGP_ERR_REGISTRY_AUTH, nothing registered`, async (t) => {
    const h = await createAdapter(registry(extra));
    t.teardown(() => h.adapter.stop());
    await h.adapter.start();
    t.match(h.status('e'), { state: 'unreachable', last_error: { code: 'DGP_ERR_REGISTRY_AUTH', message } });
    t.same(h.endpoints('chat'), []);
  });
}
