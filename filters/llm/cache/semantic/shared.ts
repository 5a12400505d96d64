// The semantic index shared through the store (Redis) for several instances, without a vector database: each
// partition's vectors are one store value (questions, vectors as base64 float32, entry keys, expiry), appended by the
// instance that stores an entry and pulled by the others at most every `refreshMs` per partition; the search itself
// stays local and exact. Two instances appending to one partition at the same moment may drop one vector: the entry
// is still an exact hit, and the next store of a similar question adds it again.
import type { Entries } from '../entries.js';
import type { SemanticIndex, StoredVector } from './index.js';

interface Wire {
  q: string;
  v: string;
  k: string;
  e: number;
}

const encode = (v: Float32Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
function decode(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export class SharedVectors {
  readonly #pulledAt = new Map<string, number>();

  constructor(private readonly entries: Entries, private readonly maxPerPartition: number, private readonly refreshMs = 2000) {}

  /** Brings the partition's shared vectors into the local index when the local copy is older than refreshMs. */
  async pull(partition: string, index: SemanticIndex): Promise<void> {
    const now = Date.now();
    if (now - (this.#pulledAt.get(partition) ?? 0) < this.refreshMs) return;
    if (this.#pulledAt.size >= 10_000) this.#pulledAt.clear();
    this.#pulledAt.set(partition, now);
    const list = await this.#read(partition);
    if (list.length > 0) index.merge(partition, list.map((w) => ({ question: w.q, vec: decode(w.v), entryKey: w.k, expiresAt: w.e })));
  }

  async push(partition: string, v: StoredVector, ttlMs: number): Promise<void> {
    const now = Date.now();
    const list = (await this.#read(partition)).filter((w) => w.e > now && w.k !== v.entryKey);
    list.push({ q: v.question, v: encode(v.vec), k: v.entryKey, e: v.expiresAt });
    const kept = list.slice(-this.maxPerPartition);
    const ttl = Math.max(ttlMs, ...kept.map((w) => w.e - now));
    await this.entries.try('set', () => this.entries.backend.set(`sem|${partition}`, JSON.stringify(kept), ttl));
  }

  async #read(partition: string): Promise<Wire[]> {
    const text = await this.entries.try('get', () => this.entries.backend.get(`sem|${partition}`));
    if (text === undefined) return [];
    try {
      const list = JSON.parse(text) as unknown;
      return Array.isArray(list) ? (list as Wire[]).filter((w) => typeof w?.q === 'string' && typeof w.v === 'string' && typeof w.k === 'string' && typeof w.e === 'number') : [];
    } catch {
      return [];
    }
  }
}
