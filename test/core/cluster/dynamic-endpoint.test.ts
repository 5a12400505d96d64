// Dynamic setEndpoint / deleteEndpoint with Pixiu's semantics (spec §3.6), as registry adapters use them.
import t from 'tap';
import { ClusterManager } from '../../../core/cluster/cluster-manager.js';
import { generateEndpointId } from '../../../core/cluster/endpoint-id.js';
import { captureLog, cluster, endpoints, src } from './fixtures.js';

const req = src('POST', '/v1/chat/completions');
const addr = (address: string, port: number, domains?: string[]) => ({ socket_address: { address, port, domains } });

t.test('first use auto-creates a RoundRobin cluster; Pixiu defaults fill the input', async (t) => {
  const m = new ClusterManager();
  const v = m.setEndpoint('llm', { id: 'a', llm_meta: { provider: 'deepseek', api_key: 'k' } });
  t.same(m.snapshot().map((c) => c.lb_policy), ['RoundRobin']);
  t.same([v.host, v.name, v.source, v.healthy], ['0.0.0.0:8881', 'endpoint-1#deepseek', 'dynamic', true]);
  t.same(v.llmMeta, { provider: 'deepseek', api_key: 'k', fallback: false, health_check_interval: 5000, retry_policy: { name: 'NoRetry', config: {} } });
  t.same(v.meta, {});
  t.equal(m.setEndpoint('llm', { id: 'b', unhealthy: true }, 'nacos:r').source, 'nacos:r');
  t.equal(m.getEndpoint('llm', 'b')?.healthy, false, 'the unhealthy seed applies');
});

t.test('explicit id with equal content is idempotent (the name is ignored)', async (t) => {
  const m = new ClusterManager();
  const changes: unknown[] = [];
  const first = m.setEndpoint('llm', { id: 'a', name: 'one', ...addr('10.0.0.1', 80), meta: {} });
  m.onChange((c) => changes.push(c));
  const again = m.setEndpoint('llm', { id: 'a', name: 'renamed', ...addr('10.0.0.1', 80) });
  t.equal(again, first, 'the same view object');
  t.equal(again.name, 'one');
  t.same(changes, []);
});

t.test('explicit id with new metadata replaces in place and keeps the health verdict', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(3))]);
  m.setHealthy('llm', 'e2', false);
  const v = m.setEndpoint('llm', { id: 'e2', ...addr('127.0.0.1', 9002), meta: { weight: '5' } });
  t.same(m.endpoints('llm').map((e) => e.id), ['e1', 'e2', 'e3'], 'same position');
  t.same([v.meta, v.healthy, v.source], [{ weight: '5' }, false, 'dynamic']);
});

t.test('explicit id with a new address replaces in place, reseeds health and WARNs', async (t) => {
  const { log, warnings } = captureLog();
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(3))], { log });
  m.setHealthy('llm', 'e2', false);
  const v = m.setEndpoint('llm', { id: 'e2', ...addr('10.1.1.1', 443, ['api.example']) });
  t.same(m.endpoints('llm').map((e) => e.id), ['e1', 'e2', 'e3']);
  t.same([v.host, v.authority, v.healthy, v.name], ['10.1.1.1:443', 'api.example', true, 'endpoint-2']);
  t.same(warnings(), ['endpoint e2 in cluster llm overwritten by SetEndpoint (address 127.0.0.1:9002 -> api.example)']);
});

t.test('explicit id without a slot appends', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(2))]);
  const v = m.setEndpoint('llm', { id: 'n', ...addr('10.0.0.9', 80), llm_meta: { provider: 'openai' } });
  t.same(m.endpoints('llm').map((e) => e.id), ['e1', 'e2', 'n']);
  t.equal(v.name, 'endpoint-3#openai');
  t.same([m.pickEndpoint('llm', req)?.id, m.pickEndpoint('llm', req)?.id, m.pickEndpoint('llm', req)?.id], ['e1', 'e2', 'n']);
});

t.test('empty id: generated, idempotent on equal content, -N suffix on collision with a WARN', async (t) => {
  const { log, warnings } = captureLog();
  const m = new ClusterManager({ log });
  const base = generateEndpointId('llm', { authority: '10.0.0.1:80', provider: 'openai', apiKey: 'k' });
  const input = { ...addr('10.0.0.1', 80), llm_meta: { provider: 'openai', api_key: 'k' } };
  const a = m.setEndpoint('llm', input);
  t.equal(a.id, base);
  t.equal(m.setEndpoint('llm', { ...input, name: 'other name' }), a, 'equal content reuses the id');
  // Same id material (cluster, address, provider, key), different content (retry policy, meta).
  const b = m.setEndpoint('llm', { ...input, llm_meta: { ...input.llm_meta, retry_policy: { name: 'CountBased', config: { times: 1 } } } });
  const c = m.setEndpoint('llm', { ...input, meta: { zone: 'b' } });
  t.same([b.id, c.id], [`${base}-2`, `${base}-3`]);
  t.equal(m.setEndpoint('llm', { ...input, meta: { zone: 'b' } }), c, 'probing finds the suffixed twin');
  t.equal(m.endpoints('llm').length, 3);
  t.same(warnings(), [
    `duplicate endpoint ID ${base} in cluster llm, assigned endpoint ID ${base}-2`,
    `duplicate endpoint ID ${base} in cluster llm, assigned endpoint ID ${base}-3`,
  ]);
});

t.test('deleteEndpoint removes, rebuilds picks, and WARNs when not found', async (t) => {
  const { log, warnings } = captureLog();
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(3))], { log });
  t.equal(m.deleteEndpoint('llm', 'e2'), true);
  t.same(m.endpoints('llm').map((e) => e.id), ['e1', 'e3']);
  t.equal(m.getEndpoint('llm', 'e2'), undefined);
  t.equal(m.nextHealthyEndpoint('llm', 'e1')?.id, 'e3');
  t.equal(m.deleteEndpoint('llm', 'e2'), false);
  t.equal(m.deleteEndpoint('nope', 'e1'), false);
  t.same(warnings(), ['not found endpoint e2 in cluster llm', 'not found cluster nope']);
  m.deleteEndpoint('llm', 'e1');
  m.deleteEndpoint('llm', 'e3');
  t.ok(m.hasCluster('llm'), 'an emptied cluster stays');
  t.equal(m.pickEndpoint('llm', req), undefined);
});

t.test('a registry update that only renames keeps everything (Nacos name change)', async (t) => {
  const m = new ClusterManager();
  const v = m.setEndpoint('llm', { ...addr('10.0.0.1', 80), name: 'a' });
  t.equal(m.setEndpoint('llm', { ...addr('10.0.0.1', 80), name: 'b' }).id, v.id);
  t.equal(m.endpoints('llm').length, 1);
});
