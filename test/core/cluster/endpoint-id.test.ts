// Endpoint identity as Pixiu computes it: Appendix A golden vectors, §6.3 model tests, duplicate suffixing, names.
import t from 'tap';
import { ClusterManager } from '../../../core/cluster/cluster-manager.js';
import { defaultEndpointName, generateEndpointId, uniqueEndpointId } from '../../../core/cluster/endpoint-id.js';
import { captureLog, cluster, ep, llm } from './fixtures.js';

t.test('Appendix A golden vectors reproduce', async (t) => {
  t.equal(generateEndpointId('cluster-a', { authority: '127.0.0.1:20880', provider: 'openai', apiKey: 'k' }), 'pixiu-generated-endpoint-c1a203a60510bdd7');
  t.equal(generateEndpointId('llm-cluster', { authority: '127.0.0.1:8080', provider: '', apiKey: 'key-a' }), 'pixiu-generated-endpoint-43e2d1069fb0e289');
  t.equal(generateEndpointId('', { authority: '0.0.0.0:0', provider: '', apiKey: '' }), 'pixiu-generated-endpoint-0fc1d9e1df2e738d');
});

t.test('a configured endpoint without id gets the golden id', async (t) => {
  const m = ClusterManager.fromConfig([
    cluster('cluster-a', 'RoundRobin', [ep({ address: '127.0.0.1', port: 20880, llm_meta: llm({ provider: 'openai', api_key: 'k' }) })]),
    cluster('', 'RoundRobin', [ep({ address: '0.0.0.0', port: 0 })]),
  ]);
  t.same(m.endpoints('cluster-a').map((e) => e.id), ['pixiu-generated-endpoint-c1a203a60510bdd7']);
  // An unnamed cluster is named cluster-<n>, and that name is the id material.
  t.same(m.clusterNames(), ['cluster-a', 'cluster-2']);
  t.equal(m.endpoints('cluster-2')[0].id, generateEndpointId('cluster-2', { authority: '0.0.0.0:0', provider: '', apiKey: '' }));
});

t.test('GenerateEndpointID: deterministic, keyed, prefixed, never leaks the key (TestGenerateEndpointIDIsDeterministic)', async (t) => {
  const a = generateEndpointId('c', { authority: '127.0.0.1:8080', provider: 'openai', apiKey: 'sk-secret-value' });
  t.equal(generateEndpointId('c', { authority: '127.0.0.1:8080', provider: 'openai', apiKey: 'sk-secret-value' }), a);
  t.not(generateEndpointId('c', { authority: '127.0.0.1:8080', provider: 'openai', apiKey: 'sk-other' }), a);
  t.match(a, /^pixiu-generated-endpoint-[0-9a-f]{16}$/);
  t.notMatch(a, /secret/);
});

t.test('GenerateEndpointID separates clusters and addresses, ignores the name, handles no llm_meta', async (t) => {
  const base = { authority: '127.0.0.1:8080', provider: '', apiKey: '' };
  t.not(generateEndpointId('a', base), generateEndpointId('b', base));
  t.not(generateEndpointId('a', base), generateEndpointId('a', { ...base, authority: '127.0.0.1:8081' }));
  const named = (name: string) =>
    ClusterManager.fromConfig([cluster('a', 'Rand', [ep({ name, address: '127.0.0.1', port: 8080 })])]).endpoints('a')[0];
  t.equal(named('first').id, named('second').id);
  t.equal(named('first').id, generateEndpointId('a', base), 'no llm_meta: empty provider and key');
  // GetAddress is the material: a domain replaces address:port.
  const dom = ClusterManager.fromConfig([cluster('a', 'Rand', [ep({ domains: ['api.openai.com'] })])]).endpoints('a')[0];
  t.equal(dom.id, generateEndpointId('a', { authority: 'api.openai.com', provider: '', apiKey: '' }));
});

t.test('host and authority (TestEndpoint_GetHost)', async (t) => {
  const m = ClusterManager.fromConfig([
    cluster('c', 'Rand', [
      ep({ id: 'ip', address: '127.0.0.1', port: 20880 }),
      ep({ id: 'dom', address: '0.0.0.0', port: 8881, domains: ['api.deepseek.com', 'b.example'] }),
      ep({ id: 'v6', address: '::1', port: 8000 }),
    ]),
  ]);
  const [ip, dom, v6] = m.endpoints('c');
  t.same([ip.host, ip.authority], ['127.0.0.1:20880', '127.0.0.1:20880']);
  t.same([dom.host, dom.authority], ['0.0.0.0:8881', 'api.deepseek.com']);
  t.same([v6.host, v6.authority], ['[::1]:8000', '[::1]:8000']);
});

t.test('duplicate ids get -2, -3 with a WARN; default names follow Pixiu', async (t) => {
  const { log, warnings } = captureLog();
  const m = ClusterManager.fromConfig(
    [
      cluster('llm', 'RoundRobin', [
        ep({ id: 'a', port: 1, llm_meta: llm({ provider: 'deepseek' }) }),
        ep({ id: 'a', port: 2 }),
        ep({ id: 'a', port: 3, name: 'third' }),
        ep({ id: 'a-2', port: 4 }),
      ]),
    ],
    { log },
  );
  t.same(
    m.endpoints('llm').map((e) => [e.id, e.name]),
    [['a', 'endpoint-1#deepseek'], ['a-2', 'endpoint-2'], ['a-3', 'third'], ['a-2-2', 'endpoint-4']],
  );
  t.same(warnings(), [
    'duplicate endpoint ID a in cluster llm, assigned endpoint ID a-2',
    'duplicate endpoint ID a in cluster llm, assigned endpoint ID a-3',
    'duplicate endpoint ID a-2 in cluster llm, assigned endpoint ID a-2-2',
  ]);
});

t.test('uniqueEndpointId and defaultEndpointName', async (t) => {
  t.equal(uniqueEndpointId('x', () => false), 'x');
  const taken = new Set(['x', 'x-2']);
  t.equal(uniqueEndpointId('x', (c) => taken.has(c)), 'x-3');
  t.equal(defaultEndpointName(0, undefined), 'endpoint-1');
  t.equal(defaultEndpointName(2, ''), 'endpoint-3#');
});
