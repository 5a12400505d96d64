// The built-in embedder: signed feature hashing (the "hashing trick") of lower-cased words, word pairs and character
// 3-grams into a fixed number of dimensions, L2-normalised. Deterministic and dependency-free; it matches case,
// punctuation, spacing, word order and small typo variants of a question — "fuzzy exact" — not true paraphrases,
// which need a real embedding model.

/** 32-bit FNV-1a: fast, well spread for short strings, the same on every platform. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function tokenize(text: string): string[] {
  return text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
}

export function lexicalEmbed(text: string, dims: number): Float32Array {
  const v = new Float32Array(dims);
  const add = (feature: string, weight: number): void => {
    const h = fnv1a(feature);
    v[h % dims]! += (h & 0x80000000) !== 0 ? -weight : weight;
  };
  const words = tokenize(text);
  words.forEach((w, i) => {
    add(`w:${w}`, 1);
    if (i > 0) add(`b:${words[i - 1]} ${w}`, 0.7);
    const padded = `^${w}$`;
    for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.3);
  });
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < dims; i++) v[i]! /= norm;
  return v;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}
