// Rand: uniform over healthy endpoints; also what every unknown lb_policy name runs as.
import t from 'tap';
import { ClusterManager } from '../../../../core/cluster/cluster-manager.js';
import { cluster, endpoints, seeded, src } from '../fixtures.js';

const req = src('POST', '/v1/chat/completions');

function histogram(m: ClusterManager, draws: number): Record<string, number> {
  const h: Record<string, number> = {};
  for (let i = 0; i < draws; i++) {
    const id = m.pickEndpoint('llm', req)!.id;
    h[id] = (h[id] ?? 0) + 1;
  }
  return h;
}

t.test('uniform over healthy endpoints (30k seeded draws within ±3 % of 1/3)', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'Rand', endpoints(4, (i) => ({ unhealthy: i === 3 })))], { random: seeded(7) });
  const h = histogram(m, 30000);
  t.same(Object.keys(h).sort(), ['e1', 'e2', 'e3'], 'never the unhealthy one');
  for (const n of Object.values(h)) t.ok(Math.abs(n / 30000 - 1 / 3) < 0.03, `share ${n / 30000}`);
});

t.test('unknown or empty lb_policy names run as Rand (Pixiu)', async (t) => {
  for (const name of ['lb', 'round_robin', 'roundrobin', '']) {
    const m = ClusterManager.fromConfig([cluster('llm', name, endpoints(3))], { random: seeded(1) });
    t.equal(m.snapshot()[0].lb_policy, 'Rand', JSON.stringify(name));
    t.equal(Object.keys(histogram(m, 300)).length, 3);
  }
});

t.test('extreme random values stay in range', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'Rand', endpoints(3))], { random: () => 0.9999999999999999 });
  t.equal(m.pickEndpoint('llm', req)?.id, 'e3');
  const z = ClusterManager.fromConfig([cluster('llm', 'Rand', endpoints(3))], { random: () => 0 });
  t.equal(z.pickEndpoint('llm', req)?.id, 'e1');
});
