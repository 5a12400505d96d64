// RingHashing: gost's ring (replica_num vnodes per host, max_vnode_num hash space), sticky and minimally disruptive.
import t from 'tap';
import { ClusterManager } from '../../../../core/cluster/cluster-manager.js';
import { stableHash32 } from '../../../../core/cluster/lb/hash-key.js';
import { buildRing, DEFAULT_BUCKET_NUM, DEFAULT_REPLICA_NUM } from '../../../../core/cluster/lb/ring-hash.js';
import { cluster, ep, src } from '../fixtures.js';
import { disruption, hashedCluster, KEYS, owners, shares } from './consistent-helpers.js';

/** A brute-force reading of gost Consistent.GetHash: the owner of the smallest vnode position ≥ h, else the smallest. */
function gostReference(hosts: string[], replica: number, key: string): string {
  let best: [number, string] | undefined;
  let lowest: [number, string] | undefined;
  const h = stableHash32(key) % DEFAULT_BUCKET_NUM;
  for (const host of hosts) {
    for (let i = 0; i < replica; i++) {
      const p = stableHash32(`${i}${host}`) % DEFAULT_BUCKET_NUM;
      if (p >= h && (!best || p < best[0])) best = [p, host];
      if (!lowest || p < lowest[0]) lowest = [p, host];
    }
  }
  return (best ?? lowest)![1];
}

t.test('picks what a brute-force port of gost picks (Pixiu default replica 10, method_uri key)', async (t) => {
  const hosts = ['127.0.0.1:18081', '127.0.0.1:18082', '127.0.0.1:18083'];
  const m = ClusterManager.fromConfig([
    cluster('llm', 'RingHashing', hosts.map((h, i) => ep({ id: `e${i + 1}`, port: Number(h.split(':')[1]) }))),
  ]);
  for (const url of ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/a?b=c', '/x', '/y', '/z']) {
    t.equal(m.pickEndpoint('llm', src('POST', url))!.host, gostReference(hosts, 10, `POST.${url}`), url);
  }
});

t.test('sticky: same key, same endpoint, across calls and across independently built managers', async (t) => {
  const a = owners(hashedCluster('RingHashing', 5));
  t.same(owners(hashedCluster('RingHashing', 5)), a);
  t.same(owners(hashedCluster('RingHashing', 5)), owners(hashedCluster('RingHashing', 5)));
});

t.test('replica_num 160 spreads 10k keys evenly (each of 5 within 15–25 %)', async (t) => {
  const s = shares(owners(hashedCluster('RingHashing', 5, { replica_num: 160 })));
  t.equal(Object.keys(s).length, 5);
  for (const [id, v] of Object.entries(s)) t.ok(v > 0.15 && v < 0.25, `${id} ${v}`);
});

t.test('removing one of 5 endpoints moves only its keys (≈ 20 %)', async (t) => {
  const m = hashedCluster('RingHashing', 5, { replica_num: 160 });
  const before = owners(m);
  t.ok(m.deleteEndpoint('llm', 'e3'));
  const { moved, movedFromOthers } = disruption(before, owners(m), 'e3');
  t.equal(movedFromOthers, 0, 'no key of another endpoint moves');
  t.equal(moved, [...before.values()].filter((id) => id === 'e3').length, 'every key of e3 moves');
  t.ok(moved / KEYS.length > 0.15 && moved / KEYS.length < 0.25, `moved ${moved}`);
});

t.test('an unhealthy endpoint is never picked and its keys alone move', async (t) => {
  const m = hashedCluster('RingHashing', 5, { replica_num: 160 });
  const before = owners(m);
  m.setHealthy('llm', 'e2', false);
  const after = owners(m);
  t.notOk([...after.values()].includes('e2'));
  t.equal(disruption(before, after, 'e2').movedFromOthers, 0);
  m.setHealthy('llm', 'e2', true);
  t.same(owners(m), before, 'recovery restores the original mapping');
});

t.test('replica_num and max_vnode_num are honoured', async (t) => {
  const nodes = ['a:1', 'b:2', 'c:3'];
  t.equal(buildRing(nodes, DEFAULT_REPLICA_NUM, DEFAULT_BUCKET_NUM).positions.length, 30);
  t.equal(buildRing(nodes, 100, DEFAULT_BUCKET_NUM).positions.length, 300);
  const small = buildRing(nodes, 100, 97);
  t.ok(small.positions.length <= 97 && small.positions.every((p) => p < 97), 'positions live in [0, max_vnode_num)');
  const m = hashedCluster('RingHashing', 3, { replica_num: 50, max_vnode_num: 97 });
  t.equal(new Set(owners(m).values()).size, 3);
});

t.test('setEndpoint moving an endpoint rebuilds the hash (TestClusterManager_SetEndpointUpdateRebuildsConsistentHash)', async (t) => {
  for (const lb of ['RingHashing', 'MaglevHashing'] as const) {
    const m = hashedCluster(lb, 3, { replica_num: 100 });
    const oldHost = m.getEndpoint('llm', 'e1')!.host;
    m.setEndpoint('llm', { id: 'e1', socket_address: { address: '10.9.9.9', port: 9999 } });
    const hosts = new Set([...owners(m).values()].map((id) => m.getEndpoint('llm', id)!.host));
    t.notOk(hosts.has(oldHost), `${lb}: old host gone`);
    t.ok(hosts.has('10.9.9.9:9999'), `${lb}: new host present`);
  }
});

t.test('endpoints sharing a host (domain-only, 0.0.0.0:8881) stay distinct nodes', async (t) => {
  const m = ClusterManager.fromConfig([
    cluster('llm', 'RingHashing', [ep({ id: 'a', address: '0.0.0.0', port: 8881, domains: ['a.example'] }), ep({ id: 'b', address: '0.0.0.0', port: 8881, domains: ['b.example'] })], {
      hash_on: 'header',
      hash_key: 'x-user',
      replica_num: 50,
    }),
  ]);
  t.same(new Set(owners(m).values()), new Set(['a', 'b']));
});

t.test('method_uri (Pixiu default) sends every request to one path to one endpoint', async (t) => {
  const m = hashedCluster('RingHashing', 5, { hash_on: 'method_uri' });
  const ids = new Set(KEYS.slice(0, 200).map((k) => m.pickEndpoint('llm', src('POST', '/v1/chat/completions', { 'x-user': k }))!.id));
  t.equal(ids.size, 1);
});
