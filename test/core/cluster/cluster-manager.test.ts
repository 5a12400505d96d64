// ClusterManager: static clusters, frozen views, snapshots, health lookups, fallback order, carry-over across reloads,
// change notification and the GET /config view.
import t from 'tap';
import { ClusterManager } from '../../../core/cluster/cluster-manager.js';
import { CooldownStore } from '../../../core/cluster/cooldown-store.js';
import { captureLog, cluster, ep, endpoints, llm, src } from './fixtures.js';

const req = src('POST', '/v1/chat/completions');

t.test('clusters and endpoints in config order; cooldowns is the store the host gave it', async (t) => {
  const cooldowns = new CooldownStore();
  const m = ClusterManager.fromConfig([cluster('b', 'RoundRobin', endpoints(2)), cluster('a', 'Rand', endpoints(3))], { cooldowns });
  t.same(m.clusterNames(), ['b', 'a']);
  t.ok(m.hasCluster('a'));
  t.notOk(m.hasCluster('c'));
  t.same(m.endpoints('a').map((e) => e.id), ['e1', 'e2', 'e3']);
  t.same(m.endpoints('c'), []);
  t.equal(m.cooldowns, cooldowns);
});

t.test('a duplicate cluster name keeps the first definition, with a WARN', async (t) => {
  const { log, warnings } = captureLog();
  const m = ClusterManager.fromConfig([cluster('a', 'RoundRobin', endpoints(1)), cluster('a', 'Rand', endpoints(3))], { log });
  t.equal(m.endpoints('a').length, 1);
  t.match(warnings(), [/duplicate cluster name a/]);
});

t.test('endpoint views are deeply frozen and carry no mutable config', async (t) => {
  const spec = ep({ id: 'x', domains: ['api.example'], meta: { weight: '3' }, llm_meta: llm({ api_key: 'sk', retry_policy: { name: 'CountBased', config: { times: 2 } } }) });
  const m = ClusterManager.fromConfig([cluster('a', 'RoundRobin', [spec])]);
  const v = m.getEndpoint('a', 'x')!;
  for (const o of [v, v.domains, v.meta, v.llmMeta, v.llmMeta!.retry_policy, v.llmMeta!.retry_policy.config]) t.ok(Object.isFrozen(o));
  t.throws(() => {
    (v as { healthy: boolean }).healthy = false;
  });
  t.not(v.meta, spec.meta, 'a copy, not the config object');
  t.equal(v.source, 'static');
  t.same([v.address, v.port, v.domains, v.meta], ['127.0.0.1', 8000, ['api.example'], { weight: '3' }]);
});

t.test('healthy-only lookups and Pixiu fallback order (no wrap-around)', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(4, (i) => ({ unhealthy: i === 1 })))]);
  t.equal(m.getHealthyEndpoint('llm', 'e2'), undefined, 'TestStrategyExecuteIgnoresUnhealthyPreferredEndpoint');
  t.equal(m.getEndpoint('llm', 'e2')?.healthy, false);
  t.equal(m.getHealthyEndpoint('llm', 'e3')?.id, 'e3');
  t.equal(m.getHealthyEndpoint('missing', 'e3'), undefined);
  t.equal(m.nextHealthyEndpoint('llm', 'e1')?.id, 'e3', 'skips the unhealthy e2');
  t.equal(m.nextHealthyEndpoint('llm', 'e2')?.id, 'e3', 'from an unhealthy one too');
  t.equal(m.nextHealthyEndpoint('llm', 'e4'), undefined, 'no wrap-around');
  t.equal(m.nextHealthyEndpoint('llm', 'nope'), undefined, 'unknown id');
  t.equal(m.nextHealthyEndpoint('missing', 'e1'), undefined);
  m.setHealthy('llm', 'e4', false);
  t.equal(m.nextHealthyEndpoint('llm', 'e3'), undefined);
});

t.test('each change publishes a new snapshot; a held snapshot never changes', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(3))]);
  const held = m.clusterSnapshot('llm')!;
  const heldView = held.get('e2')!;
  m.setHealthy('llm', 'e2', false);
  t.equal(held.get('e2'), heldView);
  t.equal(held.healthy.length, 3);
  t.equal(m.clusterSnapshot('llm')!.healthy.length, 2);
  t.not(m.clusterSnapshot('llm'), held);
  t.ok(Object.isFrozen(held.endpoints) && Object.isFrozen(held.healthy) && Object.isFrozen(held));
  m.setHealthy('llm', 'e2', false);
  const same = m.clusterSnapshot('llm');
  m.setHealthy('llm', 'e2', false);
  t.equal(m.clusterSnapshot('llm'), same, 'no-op health events publish nothing');
  m.setHealthy('llm', 'ghost', false);
  m.setHealthy('ghost', 'e1', false);
  t.equal(m.clusterSnapshot('llm'), same);
});

t.test('health carries over a reload only for unchanged id and address; an edited seed wins', async (t) => {
  const a = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(4))]);
  for (const id of ['e1', 'e2', 'e3', 'e4']) a.setHealthy('llm', id, false);
  const b = ClusterManager.fromConfig(
    [
      cluster('llm', 'RoundRobin', [
        ep({ id: 'e1', port: 9001 }), // unchanged → stays unhealthy
        ep({ id: 'e2', port: 9999 }), // moved → seed (healthy)
        ep({ id: 'e3', port: 9003, unhealthy: true }), // seed edited → seed (unhealthy) wins
        ep({ id: 'e5', port: 9004 }), // e4's address under a new id → seed
      ]),
    ],
    { previous: a },
  );
  t.same(b.endpoints('llm').map((e) => [e.id, e.healthy]), [['e1', false], ['e2', true], ['e3', false], ['e5', true]]);
  // And the edit back to healthy wins too.
  const c = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', [ep({ id: 'e3', port: 9003 })])], { previous: b });
  t.equal(c.getEndpoint('llm', 'e3')?.healthy, true);
});

t.test('dynamic endpoints carry over into surviving or auto-created clusters; conf.yaml wins an id clash', async (t) => {
  const { log, warnings } = captureLog();
  const a = ClusterManager.fromConfig([cluster('llm', 'WeightRandom', endpoints(1)), cluster('gone', 'Rand', endpoints(1))], { log });
  a.setEndpoint('llm', { id: 'n1', socket_address: { address: '10.0.0.1', port: 80 } }, 'nacos:main');
  a.setEndpoint('llm', { id: 'clash', socket_address: { address: '10.0.0.2', port: 80 } }, 'nacos:main');
  a.setEndpoint('gone', { id: 'g1', socket_address: { address: '10.0.0.3', port: 80 } }, 'nacos:main');
  a.setEndpoint('auto', { id: 'x1', socket_address: { address: '10.0.0.4', port: 80 } }, 'etcd:r');
  a.setHealthy('llm', 'n1', false);
  const b = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', [ep({ id: 'e1', port: 9001 }), ep({ id: 'clash', port: 7 })])], { previous: a });
  t.same(b.endpoints('llm').map((e) => [e.id, e.source, e.healthy]), [['e1', 'static', true], ['clash', 'static', true], ['n1', 'nacos:main', false]]);
  t.same(b.endpoints('gone').map((e) => e.id), ['g1'], 'static endpoints of a removed cluster are dropped, dynamic ones stay');
  t.same(b.endpoints('auto').map((e) => e.id), ['x1']);
  t.same(b.snapshot().map((c) => [c.name, c.lb_policy]), [['llm', 'RoundRobin'], ['gone', 'RoundRobin'], ['auto', 'RoundRobin']]);
  t.match(warnings(), [/endpoint ID clash from nacos:main is now defined in conf\.yaml; the configured endpoint wins/]);
});

t.test('the cursor of an auto-created cluster survives a reload too', async (t) => {
  const a = new ClusterManager();
  for (const id of ['d1', 'd2', 'd3']) a.setEndpoint('auto', { id, socket_address: { address: '10.0.0.1', port: Number(id[1]) } });
  t.equal(a.pickEndpoint('auto', req)?.id, 'd1');
  const b = ClusterManager.fromConfig([], { previous: a });
  t.same([b.pickEndpoint('auto', req)?.id, b.pickEndpoint('auto', req)?.id], ['d2', 'd3']);
});

t.test('onChange reports every change; a throwing listener is logged and harms nothing', async (t) => {
  const { log, lines } = captureLog();
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(2))], { log });
  const seen: unknown[] = [];
  m.onChange(() => {
    throw new Error('observer bug');
  });
  const off = m.onChange((c) => seen.push({ ...c }));
  m.setHealthy('llm', 'e1', false);
  m.setEndpoint('new', { id: 'n' });
  m.setEndpoint('new', { id: 'n' });
  m.deleteEndpoint('llm', 'e2');
  m.deleteEndpoint('llm', 'e2');
  off();
  m.setHealthy('llm', 'e1', true);
  t.same(seen, [
    { cluster: 'llm', reason: 'health', endpointId: 'e1' },
    { cluster: 'new', reason: 'cluster-created' },
    { cluster: 'new', reason: 'set-endpoint', endpointId: 'n' },
    { cluster: 'llm', reason: 'delete-endpoint', endpointId: 'e2' },
  ]);
  t.equal(m.getEndpoint('llm', 'e1')?.healthy, true);
  t.ok(lines.some((l) => l.level === 50 && /listener threw/.test(l.msg)));
});

t.test('snapshot(): plain JSON for GET /config, never api keys', async (t) => {
  const m = ClusterManager.fromConfig([
    cluster('llm', 'lb', [
      ep({ id: 'a', name: 'gpt', domains: ['api.openai.com'], llm_meta: llm({ provider: 'openai', api_key: 'sk-very-secret' }) }),
      ep({ id: 'b', port: 9, unhealthy: true }),
    ]),
  ]);
  const view = m.snapshot();
  t.same(view, [
    {
      name: 'llm',
      lb_policy: 'Rand',
      endpoints: [
        { id: 'a', name: 'gpt', authority: 'api.openai.com', host: '127.0.0.1:8000', healthy: true, cooldown_until: null, source: 'static', provider: 'openai' },
        { id: 'b', name: 'endpoint-2', authority: '127.0.0.1:9', host: '127.0.0.1:9', healthy: false, cooldown_until: null, source: 'static', provider: null },
      ],
    },
  ]);
  t.notMatch(JSON.stringify(view), /secret/);
  t.same(JSON.parse(JSON.stringify(view)), view);
});

t.test('pickEndpoint over healthy endpoints only; undefined when none or no cluster', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(3, (i) => ({ unhealthy: i !== 1 })))]);
  t.same([m.pickEndpoint('llm', req)?.id, m.pickEndpoint('llm', req)?.id], ['e2', 'e2']);
  m.setHealthy('llm', 'e2', false);
  t.equal(m.pickEndpoint('llm', req), undefined);
  t.equal(m.pickEndpoint('nope', req), undefined);
});
