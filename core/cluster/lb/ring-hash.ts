// RingHashing: a port of gost's consistent hash (dubbogo/gost hash/consistent) as Pixiu builds it — `replica_num`
// virtual nodes per endpoint at stableHash32(`${i}${node}`) mod `max_vnode_num`; a key goes to the first virtual
// node clockwise of stableHash32(key) mod `max_vnode_num`. Same config, same picks, in every process and as Pixiu.
import type { EndpointView } from '../../cluster-api.js';
import { nodeKeys, requestHashKey, stableHash32 } from './hash-key.js';
import type { LbPolicy, PolicyContext } from './types.js';

/** gost replicationFactor. */
export const DEFAULT_REPLICA_NUM = 10;
/** gost maxBucketNum (math.MaxUint32): the hash space when max_vnode_num is 0. */
export const DEFAULT_BUCKET_NUM = 0xffffffff;

export interface Ring {
  /** Sorted virtual-node positions. */
  readonly positions: Uint32Array;
  /** Index into the candidate list owning each position. */
  readonly owners: Int32Array;
  readonly bucketNum: number;
}

export function buildRing(nodes: readonly string[], replicaNum: number, bucketNum: number): Ring {
  const circle = new Map<number, number>();
  // Insertion in list order, later owners win a colliding position: gost's sequential Add.
  nodes.forEach((node, owner) => {
    for (let i = 0; i < replicaNum; i++) circle.set(stableHash32(`${i}${node}`) % bucketNum, owner);
  });
  const positions = Uint32Array.from(circle.keys()).sort();
  const owners = Int32Array.from(positions, (p) => circle.get(p)!);
  return { positions, owners, bucketNum };
}

/** Index of the owner of `h`: the first position ≥ h, wrapping to the first one. */
export function lookupRing(ring: Ring, h: number): number {
  const { positions } = ring;
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid] >= h) hi = mid;
    else lo = mid + 1;
  }
  return ring.owners[lo === positions.length ? 0 : lo];
}

export function createRingHash(ctx: PolicyContext, replicaOverride?: number): LbPolicy {
  const { healthy, consistent } = ctx;
  const replicaNum = replicaOverride ?? (consistent.replica_num > 0 ? Math.floor(consistent.replica_num) : DEFAULT_REPLICA_NUM);
  const bucketNum = consistent.max_vnode_num > 0 ? Math.min(Math.floor(consistent.max_vnode_num), DEFAULT_BUCKET_NUM) : DEFAULT_BUCKET_NUM;
  const ring = buildRing(nodeKeys(healthy, ctx.all), replicaNum, bucketNum);
  // Pixiu's default key (method_uri) repeats for every request to a path: remember the last answer.
  let lastKey: string | undefined;
  let lastPick: EndpointView | undefined;
  return {
    name: 'RingHashing',
    pick(src) {
      if (healthy.length === 0) return undefined;
      const key = requestHashKey(consistent, src);
      if (key !== lastKey) {
        lastPick = healthy[lookupRing(ring, stableHash32(key) % bucketNum)];
        lastKey = key;
      }
      return lastPick;
    },
  };
}
