// WeightRandom with Pixiu's weight rules (meta.weight, Atoi, ≥ 0, total ≤ 0 → uniform).
import t from 'tap';
import { ClusterManager } from '../../../../core/cluster/cluster-manager.js';
import { parseWeight } from '../../../../core/cluster/lb/weight-random.js';
import { cluster, endpoints, seeded, src } from '../fixtures.js';

const req = src('POST', '/v1/chat/completions');

function shares(weights: (string | undefined)[], draws: number, unhealthy: number[] = []): Record<string, number> {
  const eps = endpoints(weights.length, (i) => ({
    meta: weights[i] === undefined ? ({} as Record<string, string>) : { weight: weights[i]! },
    unhealthy: unhealthy.includes(i),
  }));
  const m = ClusterManager.fromConfig([cluster('llm', 'WeightRandom', eps)], { random: seeded(42) });
  const h: Record<string, number> = {};
  for (let i = 0; i < draws; i++) {
    const id = m.pickEndpoint('llm', req)!.id;
    h[id] = (h[id] ?? 0) + 1 / draws;
  }
  return h;
}

t.test('picks in proportion to meta.weight (40k seeded draws within ±2 %)', async (t) => {
  const h = shares(['1', '2', '7'], 40000);
  t.ok(Math.abs(h.e1 - 0.1) < 0.02, `e1 ${h.e1}`);
  t.ok(Math.abs(h.e2 - 0.2) < 0.02, `e2 ${h.e2}`);
  t.ok(Math.abs(h.e3 - 0.7) < 0.02, `e3 ${h.e3}`);
});

t.test('weight 0, missing, negative or malformed counts as 0 and is never picked', async (t) => {
  const h = shares(['0', undefined, '-3', '1.5', ' 2', 'abc', '5'], 5000);
  t.same(Object.keys(h), ['e7']);
});

t.test('total weight 0 picks uniformly; unhealthy endpoints are excluded', async (t) => {
  const h = shares(['0', undefined, 'x'], 30000);
  for (const id of ['e1', 'e2', 'e3']) t.ok(Math.abs(h[id] - 1 / 3) < 0.03, `${id} ${h[id]}`);
  const u = shares(['1', '1', '100'], 2000, [2]);
  t.same(Object.keys(u).sort(), ['e1', 'e2']);
});

t.test('parseWeight follows Go strconv.Atoi', async (t) => {
  t.equal(parseWeight('10'), 10);
  t.equal(parseWeight('+10'), 10);
  t.equal(parseWeight('007'), 7);
  t.equal(parseWeight('-1'), 0);
  t.equal(parseWeight('1e3'), 0);
  t.equal(parseWeight(''), 0);
  t.equal(parseWeight(undefined), 0);
});
