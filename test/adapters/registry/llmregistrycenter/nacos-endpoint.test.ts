// Pixiu's TestGenerateEndpoint (pkg/adapter/llmregistry/registry/nacos/listener_test.go, spec §6.6) ported, plus what
// dgp reads on top of Pixiu: case-insensitive retry policy names, llm-meta.provider, llm-meta.health_check_interval,
// the Nacos weight, the api key kept out of meta, and instance filtering (unhealthy, disabled, no cluster).
import t from 'tap';
import { endpointsOfInstances, generateEndpoint, type NacosInstance } from '../../../../adapters/registry/llmregistrycenter/nacos-endpoint.js';

t.test('Pixiu TestGenerateEndpoint', async (t) => {
  t.test('Full valid metadata', async (t) => {
    const ep = generateEndpoint({
      metadata: {
        id: 'ep-123',
        name: 'my-llm',
        ip: '127.0.0.1',
        port: '8080',
        address: 'openai.com,openai1.com',
        'llm-meta.retry_policy.name': 'ExponentialBackoff',
        'llm-meta.fallback': 'true',
      },
    })!;
    t.equal(ep.id, 'ep-123');
    t.equal(ep.name, 'my-llm');
    t.same(ep.socket_address, { address: '127.0.0.1', port: 8080, domains: ['openai.com', 'openai1.com'] });
    t.equal(ep.llm_meta!.retry_policy!.name, 'ExponentialBackoff');
    t.equal(ep.llm_meta!.fallback, true);
  });

  t.test('Nil metadata', async (t) => {
    t.equal(generateEndpoint({ metadata: null }), undefined);
    t.equal(generateEndpoint({}), undefined);
  });

  t.test('Invalid port', async (t) => {
    t.equal(generateEndpoint({ port: 8080, metadata: { port: 'not-a-number' } })!.socket_address!.port, 8080);
  });

  t.test('Missing metadata ID uses Nacos instance identity', async (t) => {
    const ep = generateEndpoint({ instanceId: 'nacos-instance-1', ip: '10.0.0.1', port: 18080, metadata: { cluster: 'llm-cluster', name: 'shared-llm' } })!;
    t.equal(ep.id, 'nacos-instance-1');
    t.equal(ep.socket_address!.address, '10.0.0.1');
    t.equal(ep.socket_address!.port, 18080);
  });

  t.test('Missing ID uses stable generated endpoint ID', async (t) => {
    const md = (key: string) => ({ cluster: 'llm-cluster', name: 'shared-llm', ip: '127.0.0.1', port: '8080', 'llm-meta.api_key': key });
    const first = generateEndpoint({ metadata: md('key-a') })!;
    const second = generateEndpoint({ metadata: md('key-a') })!;
    t.equal(first.id, second.id, 'deterministic');
    t.not(first.id, generateEndpoint({ metadata: md('key-b') })!.id, 'differs by api key');
    t.match(first.id, /^pixiu-generated-endpoint-[0-9a-f]{16}$/);
    t.notMatch(first.id, /key-a/, 'the raw key is not in the id');
    // Spec Appendix A golden vector: cluster llm-cluster, 127.0.0.1:8080, no provider, key-a.
    t.equal(first.id, 'pixiu-generated-endpoint-43e2d1069fb0e289');
  });

  t.test('Missing metadata cluster falls back to empty cluster hash', async (t) => {
    const build = (clusterName: string): NacosInstance => ({ ip: '127.0.0.1', port: 8080, clusterName, metadata: { name: 'shared-llm', 'llm-meta.api_key': 'key-a' } });
    const a = generateEndpoint(build('cluster-a'))!;
    const b = generateEndpoint(build('cluster-b'))!;
    t.match(a.id, /^pixiu-generated-endpoint-/);
    t.equal(a.id, b.id, 'the Nacos ClusterName is not part of the id');
  });
});

t.test('better than Pixiu: what dgp also reads, and fixes', async (t) => {
  const ep = generateEndpoint({
    instanceId: 'i-1',
    ip: '10.1.1.1',
    port: 8000,
    weight: 3.0,
    metadata: {
      cluster: 'chat',
      'llm-meta.retry_policy.name': 'countbased',
      'llm-meta.retry_policy.config': '{"times":2}',
      'llm-meta.provider': 'openai',
      'llm-meta.health_check_interval': '2s',
      'llm-meta.api_key': 'sk-SECRET',
    },
  })!;
  t.equal(ep.llm_meta!.retry_policy!.name, 'CountBased', 'retry policy names match in any case (Pixiu: exact case only)');
  t.same(ep.llm_meta!.retry_policy!.config, { times: 2 });
  t.equal(ep.llm_meta!.provider, 'openai');
  t.equal(ep.llm_meta!.health_check_interval, 2000, 'a duration string');
  t.equal(ep.llm_meta!.api_key, 'sk-SECRET');
  t.same(ep.meta, { cluster: 'chat', 'llm-meta.retry_policy.name': 'countbased', 'llm-meta.retry_policy.config': '{"times":2}', 'llm-meta.provider': 'openai', 'llm-meta.health_check_interval': '2s', weight: '3' }, 'the api key is not copied into meta; the Nacos weight becomes meta.weight');
  t.equal(generateEndpoint({ metadata: { 'llm-meta.health_check_interval': '0' } })!.llm_meta!.health_check_interval, 0, '0 switches the cooldown off');
  t.equal(generateEndpoint({ metadata: { 'llm-meta.health_check_interval': 'soon' } })!.llm_meta!.health_check_interval, 5000, 'malformed → Pixiu default');
  t.equal(generateEndpoint({ metadata: {} })!.llm_meta!.retry_policy!.name, 'NoRetry', 'default policy');
  t.same(generateEndpoint({ metadata: { 'llm-meta.retry_policy.config': '[1' } })!.llm_meta!.retry_policy!.config, {}, 'bad JSON → empty config');
  t.equal(generateEndpoint({ metadata: { weight: '7' }, weight: 2 })!.meta!.weight, '7', 'metadata weight wins');
  t.same(generateEndpoint({ metadata: {} })!.socket_address, { address: '0.0.0.0', port: 8881, domains: [] }, "Pixiu's defaults");
});

t.test('instance filtering', async (t) => {
  const hosts: NacosInstance[] = [
    { instanceId: 'a', ip: '10.0.0.1', port: 1, healthy: true, enabled: true, metadata: { cluster: 'chat' } },
    { instanceId: 'b', ip: '10.0.0.2', port: 1, healthy: false, enabled: true, metadata: { cluster: 'chat' } },
    { instanceId: 'c', ip: '10.0.0.3', port: 1, healthy: true, enabled: false, metadata: { cluster: 'chat' } },
    { instanceId: 'd', ip: '10.0.0.4', port: 1, healthy: true, enabled: true, metadata: { name: 'no cluster' } },
    { instanceId: 'e', ip: '10.0.0.5', port: 1, healthy: true, enabled: true },
  ];
  const { endpoints, skipped } = endpointsOfInstances('svc', hosts);
  t.same(endpoints.map((e) => `${e.cluster}/${e.input.id}`), ['chat/a'], 'unhealthy, disabled and cluster-less instances are left out');
  t.equal(skipped, 2, 'the instances without metadata or cluster count as invalid entries');
});
