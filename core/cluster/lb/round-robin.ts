// RoundRobin: Pixiu's snapshot path — healthy[cursor mod n], then the uint32 cursor advances by one. The cursor object
// belongs to the cluster name, so it survives snapshots (health changes, registry updates) and config reloads.
import type { LbPolicy, PolicyContext } from './types.js';

export function createRoundRobin(ctx: PolicyContext): LbPolicy {
  const { healthy, cursor } = ctx;
  const n = healthy.length;
  return {
    name: 'RoundRobin',
    pick() {
      if (n === 0) return undefined;
      const ep = healthy[cursor.value % n];
      cursor.value = (cursor.value + 1) >>> 0;
      return ep;
    },
  };
}
