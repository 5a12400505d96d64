// The semantic layer's vector index: per partition (the scope plus everything of the request but the last user turn),
// the vectors of the questions stored there and the exact entry each one answers. Exact cosine search over a small
// partition (2,000 × 512 dimensions is about 1 M multiply-adds, well under a millisecond); oldest vectors go first.
// In-process: each gateway instance indexes the entries it stored itself.
import { defineService } from '../../../../core/index.js';
import { failedGuard, type Guard } from './guards.js';
import { cosine } from './lexical.js';

export interface StoredVector {
  vec: Float32Array;
  question: string;
  entryKey: string;
  expiresAt: number;
}
type Vector = StoredVector;

export interface SemanticMatch {
  entryKey: string;
  similarity: number;
}

export class SemanticIndex {
  readonly #partitions = new Map<string, Vector[]>();
  /** Recent semantic hits by request id, for feedback: request id → [partition, entry key]. */
  readonly #hits = new Map<string, [string, string]>();

  constructor(private readonly maxPerPartition: number, private readonly maxPartitions = 10_000) {}

  add(partition: string, vec: Float32Array, question: string, entryKey: string, ttlMs: number): StoredVector {
    const v: StoredVector = { vec, question, entryKey, expiresAt: Date.now() + ttlMs };
    this.merge(partition, [v]);
    return v;
  }

  /** Adds vectors to a partition (replacing any for the same entry), oldest dropped past the partition's size. */
  merge(partition: string, vectors: readonly StoredVector[]): void {
    let list = this.#partitions.get(partition);
    if (list === undefined) {
      if (this.#partitions.size >= this.maxPartitions) this.#partitions.delete(this.#partitions.keys().next().value!);
      this.#partitions.set(partition, (list = []));
    }
    for (const v of vectors) {
      const i = list.findIndex((x) => x.entryKey === v.entryKey);
      if (i >= 0) list.splice(i, 1);
      list.push(v);
    }
    if (list.length > this.maxPerPartition) list.splice(0, list.length - this.maxPerPartition);
  }

  /** The most similar live question at or above `threshold` that passes every guard. */
  search(partition: string, vec: Float32Array, question: string, threshold: number, guards: readonly Guard[]): SemanticMatch | undefined {
    const list = this.#partitions.get(partition);
    if (list === undefined) return undefined;
    const now = Date.now();
    let best: { v: Vector; s: number } | undefined;
    for (const v of list) {
      if (v.expiresAt <= now) continue;
      const s = cosine(vec, v.vec);
      if (s >= threshold && (best === undefined || s > best.s) && failedGuard(guards, question, v.question) === undefined) best = { v, s };
    }
    return best === undefined ? undefined : { entryKey: best.v.entryKey, similarity: best.s };
  }

  remember(requestId: string, partition: string, entryKey: string): void {
    if (this.#hits.size >= 10_000) this.#hits.delete(this.#hits.keys().next().value!);
    this.#hits.set(requestId, [partition, entryKey]);
  }

  /** Drops a wrong hit's vector; returns its entry key (the caller deletes the entry), or undefined when unknown. */
  forget(requestId: string): string | undefined {
    const hit = this.#hits.get(requestId);
    if (hit === undefined) return undefined;
    this.#hits.delete(requestId);
    const list = this.#partitions.get(hit[0]);
    if (list !== undefined) {
      const i = list.findIndex((v) => v.entryKey === hit[1]);
      if (i >= 0) list.splice(i, 1);
    }
    return hit[1];
  }
}

/** One index per process and partition size, kept across reloads like the entries it points at. */
export const semanticIndexService = defineService<SemanticIndex, number>({
  name: 'dgp.filter.llm.cache.semantic',
  create: (max) => new SemanticIndex(max),
});
