// MaglevHashing: Pixiu's table sizes and permutations, populated deterministically; sticky, even, minimally disruptive.
import t from 'tap';
import { ClusterManager } from '../../../../core/cluster/cluster-manager.js';
import { MAGLEV_TABLE_SIZES, maglevTableSize, populateMaglev } from '../../../../core/cluster/lb/maglev.js';
import { captureLog, cluster, endpoints, src } from '../fixtures.js';
import { disruption, hashedCluster, KEYS, owners, shares } from './consistent-helpers.js';

t.test('table size: Pixiu prime list above 100 × endpoints, configured values, refusals', async (t) => {
  t.equal(maglevTableSize(0, 2), 307);
  t.equal(maglevTableSize(0, 3), 307);
  t.equal(maglevTableSize(0, 5), 503);
  t.equal(maglevTableSize(0, 100), 10007);
  t.equal(maglevTableSize(0, 0), 307);
  t.equal(maglevTableSize(0, 10000), undefined, 'beyond the list');
  t.equal(maglevTableSize(1000, 5), 1000, 'non-prime but ≥ 100 × N is accepted (Pixiu)');
  t.equal(maglevTableSize(101, 5), 101, 'prime below 100 × N is accepted');
  t.equal(maglevTableSize(100, 5), undefined, 'non-prime below 100 × N is refused');
  t.equal(MAGLEV_TABLE_SIZES.at(-1), 999983);
});

t.test('population fills every slot, evenly, independent of list order', async (t) => {
  const nodes = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80'];
  const slots = populateMaglev(nodes, 503);
  const counts = [0, 0, 0, 0];
  for (const s of slots) counts[s]++;
  t.ok(Math.max(...counts) - Math.min(...counts) <= 1, `counts ${counts}`);
  const reversed = [...nodes].reverse();
  const r = populateMaglev(reversed, 503);
  t.same(Array.from(r, (i) => reversed[i]), Array.from(slots, (i) => nodes[i]), 'same owner per slot');
  const nonPrime = populateMaglev(nodes, 1000);
  t.ok(nonPrime.every((s) => s >= 0 && s < 4), 'non-prime table: every slot owned');
});

t.test('sticky across calls and independently built managers; even over 10k keys', async (t) => {
  const a = owners(hashedCluster('MaglevHashing', 5));
  t.same(owners(hashedCluster('MaglevHashing', 5)), a);
  for (const [id, v] of Object.entries(shares(a))) t.ok(v > 0.17 && v < 0.23, `${id} ${v}`);
});

t.test('removing one of 5 endpoints moves its keys and at most 3 % of the others (default table 503)', async (t) => {
  const m = hashedCluster('MaglevHashing', 5);
  const before = owners(m);
  m.deleteEndpoint('llm', 'e3');
  const after = owners(m);
  const { moved, movedFromOthers } = disruption(before, after, 'e3');
  const onE3 = [...before.values()].filter((id) => id === 'e3').length;
  t.notOk([...after.values()].includes('e3'));
  t.ok(moved >= onE3, 'every key of e3 moves');
  t.ok(movedFromOthers <= 0.03 * KEYS.length, `extra disruption ${movedFromOthers}`);
  t.ok(onE3 / KEYS.length > 0.15 && onE3 / KEYS.length < 0.25, `e3 share ${onE3}`);
});

t.test('a larger maglev_table_size is honoured and lowers the extra disruption (< 1 %)', async (t) => {
  const m = hashedCluster('MaglevHashing', 5, { maglev_table_size: 5099 });
  const before = owners(m);
  m.deleteEndpoint('llm', 'e3');
  t.ok(disruption(before, owners(m), 'e3').movedFromOthers < 0.01 * KEYS.length);
});

t.test('a refused table size falls back to a ring hash with a WARN (Pixiu)', async (t) => {
  const { log, warnings } = captureLog();
  const spec = cluster('llm', 'MaglevHashing', endpoints(5), { maglev_table_size: 100, hash_on: 'header', hash_key: 'x-user' });
  const m = ClusterManager.fromConfig([spec], { log });
  t.match(warnings()[0], /maglev_table_size must be a prime at least 100 times the number of endpoints; using RingHashing/);
  const pick = (k: string) => m.pickEndpoint('llm', src('POST', '/v1', { 'x-user': k }))!.id;
  t.equal(pick('alice'), pick('alice'));
  t.ok(new Set(KEYS.slice(0, 500).map(pick)).size > 1, 'keys spread over endpoints');
});

t.test('no healthy endpoint: undefined', async (t) => {
  const m = ClusterManager.fromConfig([cluster('llm', 'MaglevHashing', endpoints(2, () => ({ unhealthy: true })))]);
  t.equal(m.pickEndpoint('llm', src('POST', '/v1')), undefined);
});
