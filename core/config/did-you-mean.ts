// "Did you mean" suggestions for config keys and enum values: optimal-string-alignment (Damerau) distance, with
// case-insensitive matches first because Pixiu's bootstrap keys match case-insensitively.

/** Longest input that gets a suggestion; every key, kind and enum value of the config is far shorter. */
export const MAX_SUGGEST_INPUT = 128;

/** Edit distance counting insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Normalises separators and case so that "round_robin", "round-robin" and "RoundRobin" compare equal. */
function loose(s: string): string {
  return s.toLowerCase().replace(/[-_\s.]/g, '');
}

/**
 * The closest candidate to `input`, or undefined when nothing is close enough. Exact loose matches win
 * ("lbpolicy" → "lb_policy", "round_robin" → "RoundRobin"); otherwise the distance must be at most a third of the
 * longer word (min 1), so "lb" does not suggest "Rand".
 */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  // The distance is quadratic in the input: a long string is no typo of a short name, so it gets no suggestion.
  if (input.length > MAX_SUGGEST_INPUT) return undefined;
  const target = loose(input);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === input) continue;
    const lc = loose(c);
    if (lc === target) return c;
    const score = editDistance(target, lc);
    const limit = Math.max(1, Math.floor(Math.max(target.length, lc.length) / 3));
    if (score <= limit && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** 'did you mean "x"?' or undefined. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const s = suggest(input, candidates);
  return s === undefined ? undefined : `did you mean "${s}"?`;
}
