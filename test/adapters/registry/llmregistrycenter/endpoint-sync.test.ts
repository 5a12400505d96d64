// Pixiu's TestServiceCallback family (spec §6.6) ported onto EndpointSync and the real ClusterManager: adds, removals,
// updates, unhealthy/disabled instances, no-change polls, stable generated ids; plus dgp's own rules: endpoints of
// another source are never touched, and carried-over endpoints that the registry no longer lists are cleaned up.
// Pixiu's instances there carry no `cluster` (its listener test mocks the adapter); here every one names cluster llm.
import { pino } from 'pino';
import t from 'tap';
import { EndpointSync } from '../../../../adapters/registry/llmregistrycenter/endpoint-sync.js';
import { endpointsOfInstances, type NacosInstance } from '../../../../adapters/registry/llmregistrycenter/nacos-endpoint.js';
import type { ChangeKind } from '../../../../adapters/registry/llmregistrycenter/status.js';
import { ClusterManager } from '../../../../core/cluster/index.js';

const log = pino({ level: 'silent' });

function setup(clusters = new ClusterManager()) {
  const changes: Array<[ChangeKind]> = [];
  const sync = new EndpointSync(clusters, 'nacos:test', log, (k) => changes.push([k]));
  const callback = (instances: NacosInstance[]) => {
    changes.length = 0;
    sync.replaceAll(endpointsOfInstances('service-A', instances).endpoints);
    return changes.map(([k]) => k).sort();
  };
  const ids = () => clusters.endpoints('llm').map((e) => e.id);
  return { clusters, sync, callback, ids };
}

const inst = (id: string, extra: Partial<NacosInstance> = {}, md: Record<string, string> = {}): NacosInstance => ({
  instanceId: id,
  serviceName: 'service-A',
  ip: '127.0.0.1',
  port: 8000,
  enabled: true,
  healthy: true,
  ...extra,
  metadata: { cluster: 'llm', id, name: `inst-${id}`, ...md },
});

t.test('TestServiceCallback', async (t) => {
  const { callback, ids, clusters } = setup();
  const one = inst('ep-1', {}, { port: '9001' });
  const two = inst('ep-2', {}, { port: '9002' });

  t.same(callback([one, two]), ['add', 'add'], 'initial registration adds two');
  t.same(ids(), ['ep-1', 'ep-2']);
  t.equal(clusters.getEndpoint('llm', 'ep-1')!.source, 'nacos:test');

  t.same(callback([one]), ['remove'], 'one instance removed');
  t.same(ids(), ['ep-1']);

  t.same(callback([inst('ep-1', {}, { port: '9001', name: 'inst-1-updated', weight: '5' })]), ['update'], 'a changed instance updates');
  t.equal(clusters.getEndpoint('llm', 'ep-1')!.meta.weight, '5');

  t.same(callback([{ ...one, healthy: false }, { ...two, enabled: false }]), ['remove'], 'unhealthy or disabled instances cause removal');
  t.same(ids(), []);

  callback([one]);
  t.same(callback([one]), [], 'no change emits nothing');
});

t.test('TestServiceCallbackUsesStableGeneratedEndpointID', async (t) => {
  const { callback, clusters, ids } = setup();
  const gen = (name: string, key: string): NacosInstance => ({
    serviceName: 'service-generated',
    enabled: true,
    healthy: true,
    metadata: { cluster: 'llm', name, ip: '127.0.0.1', port: '8080', 'llm-meta.api_key': key },
  });
  t.same(callback([gen('shared-llm-a', 'key-a'), gen('shared-llm-b', 'key-b')]), ['add', 'add']);
  const removed = clusters.endpoints('llm').find((e) => e.name === 'shared-llm-a')!.id;
  t.match(removed, /^pixiu-generated-endpoint-/);
  t.same(callback([gen('shared-llm-b', 'key-b')]), ['remove']);
  t.notOk(ids().includes(removed));
});

t.test('TestServiceCallbackKeepsGeneratedEndpointIDWhenNameChanges', async (t) => {
  const { callback, ids } = setup();
  const named = (name: string): NacosInstance => ({ ip: '127.0.0.1', port: 8080, enabled: true, healthy: true, metadata: { cluster: 'llm', name, 'llm-meta.api_key': 'key-a' } });
  callback([named('shared-llm-old')]);
  const [id] = ids();
  callback([named('shared-llm-new')]);
  t.same(ids(), [id], 'renaming keeps the generated id: no removal, no new endpoint');
});

t.test('TestServiceCallbackKeepsNacosInstancesWithoutMetadataIDDistinct', async (t) => {
  const { callback, ids } = setup();
  const noId = (instanceId: string, ip: string, port: number): NacosInstance => ({ instanceId, ip, port, enabled: true, healthy: true, metadata: { cluster: 'llm', name: 'shared-llm', 'llm-meta.api_key': 'same-key' } });
  t.same(callback([noId('nacos-instance-a', '10.0.0.1', 18080), noId('nacos-instance-b', '10.0.0.2', 18081)]), ['add', 'add']);
  t.same(ids(), ['nacos-instance-a', 'nacos-instance-b']);
  t.same(callback([noId('nacos-instance-b', '10.0.0.2', 18081)]), ['remove']);
  t.same(ids(), ['nacos-instance-b']);
});

t.test('endpoints from another source are never overwritten or deleted', async (t) => {
  const clusters = ClusterManager.fromConfig([
    { name: 'llm', lb_policy: 'RoundRobin', endpoints: [{ id: 'ep-1', name: '', socket_address: { address: '10.9.9.9', port: 80, domains: [] }, meta: {}, unhealthy: false }] },
  ] as never);
  const { callback } = setup(clusters);
  t.same(callback([inst('ep-1'), inst('ep-2')]), ['add'], 'the conf.yaml endpoint with the same id wins');
  t.equal(clusters.getEndpoint('llm', 'ep-1')!.address, '10.9.9.9');
  t.equal(clusters.getEndpoint('llm', 'ep-1')!.source, 'static');
  t.same(callback([]), ['remove'], 'only its own endpoint is removed');
  t.ok(clusters.getEndpoint('llm', 'ep-1'), 'the static endpoint stays');
});

t.test('a reload carries endpoints over; the first full listing removes the ones that are gone', async (t) => {
  const old = new ClusterManager();
  old.setEndpoint('llm', { id: 'kept', socket_address: { address: '127.0.0.1', port: 1 } }, 'nacos:test');
  old.setEndpoint('llm', { id: 'gone', socket_address: { address: '127.0.0.1', port: 2 } }, 'nacos:test');
  old.setEndpoint('llm', { id: 'other', socket_address: { address: '127.0.0.1', port: 3 } }, 'etcd:other');
  const next = ClusterManager.fromConfig([], { previous: old });
  const sync = new EndpointSync(next, 'nacos:test', log);
  sync.replaceAll([], false);
  t.same(next.endpoints('llm').map((e) => e.id), ['kept', 'gone', 'other'], 'an incomplete listing removes nothing carried over');
  sync.replaceAll([{ cluster: 'llm', input: { id: 'kept', socket_address: { address: '127.0.0.1', port: 1 } } }]);
  t.same(next.endpoints('llm').map((e) => e.id), ['kept', 'other'], "the carried endpoint no longer listed is removed; another registry's stays");
  t.equal(sync.size, 1);
});
