// WeightRandom with Pixiu's rules: weight = Atoi(meta.weight) when it parses and is ≥ 0, else 0; a total ≤ 0 picks
// uniformly; otherwise r = randInt[0,total) selects the first endpoint whose cumulative weight exceeds r.
import type { LbPolicy, PolicyContext } from './types.js';

/** Go strconv.Atoi: optional sign, decimal digits only (no spaces, no fraction). */
export function parseWeight(raw: string | undefined): number {
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return 0;
  const w = Number.parseInt(raw, 10);
  return Number.isSafeInteger(w) && w >= 0 ? w : 0;
}

export function createWeightRandom(ctx: PolicyContext): LbPolicy {
  const { healthy, random } = ctx;
  const n = healthy.length;
  const cumulative = new Float64Array(n);
  let total = 0;
  healthy.forEach((ep, i) => {
    total += parseWeight(ep.meta.weight);
    cumulative[i] = total;
  });
  return {
    name: 'WeightRandom',
    pick() {
      if (n === 0) return undefined;
      if (total <= 0) return healthy[Math.min(n - 1, Math.floor(random() * n))];
      const r = Math.floor(random() * total);
      // Binary search for the first cumulative weight > r (zero-weight endpoints are never chosen).
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid] > r) hi = mid;
        else lo = mid + 1;
      }
      return healthy[lo];
    },
  };
}
