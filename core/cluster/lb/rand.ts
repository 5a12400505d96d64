// Rand: uniform over the healthy endpoints (Pixiu's default, also for unknown lb_policy names).
import type { LbPolicy, PolicyContext } from './types.js';

export function createRand(ctx: PolicyContext): LbPolicy {
  const { healthy, random } = ctx;
  const n = healthy.length;
  return {
    name: 'Rand',
    pick: () => (n === 0 ? undefined : healthy[Math.min(n - 1, Math.floor(random() * n))]),
  };
}
