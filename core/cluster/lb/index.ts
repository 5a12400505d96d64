// Chooses and builds a cluster's load-balancing policy. Names are Pixiu's, exact case; anything else runs as Rand.
import type { LbPolicyName } from '../types.js';
import { createMaglev } from './maglev.js';
import { createRand } from './rand.js';
import { createRingHash } from './ring-hash.js';
import { createRoundRobin } from './round-robin.js';
import type { LbPolicy, PolicyContext } from './types.js';
import { createWeightRandom } from './weight-random.js';
import { createCostAware, createLatencyEwma, createLeastRequest } from './load-aware.js';

export type { LbPolicy, PolicyContext, RoundRobinCursor } from './types.js';

const FACTORIES: Record<LbPolicyName, (ctx: PolicyContext) => LbPolicy> = {
  Rand: createRand,
  RoundRobin: createRoundRobin,
  WeightRandom: createWeightRandom,
  RingHashing: (ctx) => createRingHash(ctx),
  MaglevHashing: createMaglev,
  LeastRequest: createLeastRequest,
  LatencyEwma: createLatencyEwma,
  CostAware: createCostAware,
};

export const LB_POLICY_NAMES = Object.freeze(Object.keys(FACTORIES) as LbPolicyName[]);

/** Pixiu resolves the name at pick time and falls back to Rand for an unknown or empty one (spec §5, §8.5 #33). */
export function resolveLbPolicyName(configured: string): LbPolicyName {
  return Object.prototype.hasOwnProperty.call(FACTORIES, configured) ? (configured as LbPolicyName) : 'Rand';
}

export function createLbPolicy(name: LbPolicyName, ctx: PolicyContext): LbPolicy {
  return FACTORIES[name](ctx);
}
