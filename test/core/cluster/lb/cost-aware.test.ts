// CostAware: the cheapest healthy endpoint by the installed pricer, read at pick time (a filter installs it after the
// snapshots exist); unpriced endpoints rank last and equal prices rotate; no pricer at all means round robin. The
// body is awaited for it (the price depends on the requested model).
import t from 'tap';
import { ClusterManager } from '../../../../core/cluster/cluster-manager.js';
import { cluster, endpoints, src } from '../fixtures.js';

const req = src('POST', '/v1/chat/completions');
const picks = (m: ClusterManager, n: number) => Array.from({ length: n }, () => m.pickEndpoint('llm', req)?.id);

t.test('without a pricer CostAware rotates like round robin; the body is wanted', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'CostAware', endpoints(3))]);
  t.same(picks(m, 4), ['e1', 'e2', 'e3', 'e1']);
  t.equal(m.needsBody('llm'), true);
  t.equal(m.lbPolicyOf('llm'), 'CostAware');
});

t.test('the cheapest healthy endpoint; unpriced last; ties share', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'CostAware', endpoints(4))]);
  const prices: Record<string, number | undefined> = { e1: undefined, e2: 30, e3: 10, e4: 10 };
  const seen: unknown[] = [];
  m.setEndpointPricer((ep, s) => (seen.push(s), prices[ep.id]));
  t.same([...new Set(picks(m, 8))].sort(), ['e3', 'e4'], 'only the two cheapest, both of them (the rotation starts the scan)');
  t.equal(seen[0], req, 'the pricer sees the request');
  m.setHealthy('llm', 'e3', false);
  m.setHealthy('llm', 'e4', false);
  t.same(picks(m, 2), ['e2', 'e2'], 'then the next cheapest');
  m.setHealthy('llm', 'e2', false);
  t.same(picks(m, 1), ['e1'], 'an unpriced endpoint is still picked when it is the only one');
});

t.test('priority groups first: a cheaper endpoint of a lower group serves only when the higher group is out', async (t) => {
  const llm = (priority: number) => ({ llm_meta: { provider: 'openai', api_key: '', fallback: true, health_check_interval: 60_000, retry_policy: { name: 'NoRetry', config: {} }, priority } });
  const m = ClusterManager.fromConfig([cluster('llm', 'CostAware', endpoints(4, (i) => llm(i === 0 ? 0 : 1)))]);
  const prices: Record<string, number> = { e1: 1, e2: 50, e3: 20, e4: 30 };
  m.setEndpointPricer((ep) => prices[ep.id]);
  t.same(picks(m, 3), ['e3', 'e3', 'e3'], 'the cheapest of the top group, not the cheapest overall');
  m.cooldowns.markFailure('llm', m.getEndpoint('llm', 'e3')!);
  t.same(picks(m, 2), ['e4', 'e4'], 'its cheapest is cooling: the next cheapest of the top group, not the next listed');
  m.setHealthy('llm', 'e2', false);
  m.setHealthy('llm', 'e4', false);
  t.same(picks(m, 2), ['e1', 'e1'], 'the whole top group out: the lower group');
});
