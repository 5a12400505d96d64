// MaglevHashing (Eisenbud et al., NSDI '16) as Pixiu configures it: table size M from `maglev_table_size` or Pixiu's
// prime list, per-node offset = LE_u32(sha3-512(node)) mod M and skip = LE_u32(blake2b-512(node)) mod (M−1) + 1.
// Unlike Pixiu (Go map order, random per-call request hash) the table is populated in sorted node order and keys hash
// with stableHash32, so picks are sticky across calls and processes.
import { hash } from 'node:crypto';
import type { EndpointView } from '../../cluster-api.js';
import { nodeKeys, requestHashKey, stableHash32 } from './hash-key.js';
import { createRingHash } from './ring-hash.js';
import type { LbPolicy, PolicyContext } from './types.js';

/** Pixiu's defaultTableSize primes (maximum ~10,000 endpoints). */
export const MAGLEV_TABLE_SIZES: readonly number[] = [
  307, 503, 1511, 2503, 5099, 7877, 10007, 14207, 20903, 40423, 88721, 123911, 164821, 199999, 218077, 299777,
  344941, 399989, 463031, 514399, 604613, 686669, 726337, 799789, 857011, 999983,
];

function isPrime(n: number): boolean {
  if (n < 2 || !Number.isInteger(n)) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** The table size, or undefined when Pixiu's NewLookUpTable refuses it (too small and not prime). */
export function maglevTableSize(configured: number, endpoints: number): number | undefined {
  const expectN = endpoints * 100;
  const size = configured > 0 ? Math.floor(configured) : (MAGLEV_TABLE_SIZES.find((s) => expectN < s) ?? 0);
  if (size < 2 || (size < expectN && !isPrime(size))) return undefined;
  return size;
}

function leU32(algorithm: string, key: string): number {
  return (hash(algorithm, key, 'buffer') as Buffer).readUInt32LE(0);
}

/** slots[i] = index into `nodes` owning table slot i. */
export function populateMaglev(nodes: readonly string[], m: number): Int32Array {
  const n = nodes.length;
  const order = nodes.map((_, i) => i).sort((a, b) => (nodes[a] < nodes[b] ? -1 : nodes[a] > nodes[b] ? 1 : a - b));
  const pos = Float64Array.from(nodes, (node) => leU32('sha3-512', node) % m);
  const skip = Float64Array.from(nodes, (node) => (leU32('blake2b512', node) % (m - 1)) + 1);
  const tried = new Float64Array(n);
  const hits = new Float64Array(n);
  const slots = new Int32Array(m).fill(-1);
  let filled = 0;
  // Each round gives every node its next preferred free slot; a round without progress ends it (non-prime M can leave
  // permutations that cycle over a subset of slots).
  for (let progress = n > 0; filled < m && progress; ) {
    progress = false;
    for (const i of order) {
      while (tried[i] < m && slots[pos[i]] !== -1) {
        pos[i] = (pos[i] + skip[i]) % m;
        tried[i]++;
      }
      if (tried[i] >= m) continue;
      slots[pos[i]] = i;
      hits[i]++;
      filled++;
      progress = true;
      if (filled === m) break;
    }
  }
  if (filled < m && n > 0) {
    // Pixiu fillMissingSlots: empty slots go to the least-placed node.
    let least = order[0];
    for (const i of order) if (hits[i] < hits[least]) least = i;
    for (let s = 0; s < m; s++) if (slots[s] === -1) slots[s] = least;
  }
  return slots;
}

export function createMaglev(ctx: PolicyContext): LbPolicy {
  const { healthy, consistent } = ctx;
  const m = maglevTableSize(consistent.maglev_table_size, healthy.length);
  if (m === undefined) {
    ctx.log.warn(
      { cluster: ctx.cluster, maglev_table_size: consistent.maglev_table_size, endpoints: healthy.length },
      'maglev_table_size must be a prime at least 100 times the number of endpoints; using RingHashing instead',
    );
    const ring = createRingHash(ctx, consistent.replica_num > 0 ? undefined : 2 * healthy.length);
    return { name: 'MaglevHashing', pick: (src) => ring.pick(src) };
  }
  const slots = healthy.length === 0 ? new Int32Array(0) : populateMaglev(nodeKeys(healthy, ctx.all), m);
  let lastKey: string | undefined;
  let lastPick: EndpointView | undefined;
  return {
    name: 'MaglevHashing',
    pick(src) {
      if (healthy.length === 0) return undefined;
      const key = requestHashKey(consistent, src);
      if (key !== lastKey) {
        lastPick = healthy[slots[stableHash32(key) % m]];
        lastKey = key;
      }
      return lastPick;
    },
  };
}
