// RoundRobin: Pixiu's healthy[cursor mod n] order, and a cursor that survives snapshots and reloads.
import t from 'tap';
import { ClusterManager } from '../../../../core/cluster/cluster-manager.js';
import { cluster, endpoints, src } from '../fixtures.js';

const req = src('POST', '/v1/chat/completions');
const picks = (m: ClusterManager, n: number) => Array.from({ length: n }, () => m.pickEndpoint('llm', req)?.id);

t.test('cycles over healthy endpoints in list order, starting with the first', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(3))]);
  t.same(picks(m, 7), ['e1', 'e2', 'e3', 'e1', 'e2', 'e3', 'e1']);
});

t.test('skips unhealthy endpoints, and the cursor carries across health snapshots', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(3, (i) => ({ unhealthy: i === 1 })))]);
  t.same(picks(m, 3), ['e1', 'e3', 'e1']);
  m.setHealthy('llm', 'e2', true);
  // cursor = 3 → healthy[3 mod 3] = e1, then e2, e3.
  t.same(picks(m, 3), ['e1', 'e2', 'e3']);
});

t.test('the cursor survives fromConfig(previous)', async (t) => {
  const a = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(3)), cluster('other', 'RoundRobin', endpoints(2))]);
  t.same(picks(a, 2), ['e1', 'e2']);
  const b = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(4))], { previous: a });
  t.same(picks(b, 3), ['e3', 'e4', 'e1'], 'continues at cursor 2 over the new list');
  const c = ClusterManager.fromConfig([cluster('llm2', 'RoundRobin', endpoints(3))], { previous: b });
  t.same(Array.from({ length: 2 }, () => c.pickEndpoint('llm2', req)?.id), ['e1', 'e2'], 'a new cluster starts at 0');
});

t.test('the uint32 cursor wraps to 0', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(3))]);
  m.clusterSnapshot('llm')!.settings.cursor.value = 0xffffffff;
  t.same(picks(m, 2), [`e${(0xffffffff % 3) + 1}`, 'e1']);
});

t.test('no healthy endpoint: undefined', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'RoundRobin', endpoints(2, () => ({ unhealthy: true })))]);
  t.equal(m.pickEndpoint('llm', req), undefined);
  t.equal(m.pickEndpoint('missing', req), undefined);
});
