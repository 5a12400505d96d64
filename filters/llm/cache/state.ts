// Per-request state of the cache filter, kept on the request context between decode, encode and onComplete.
import { defineAttribute } from '../../../core/index.js';
import type { CanonicalRequest } from './key.js';
import type { Joined } from './coalesce.js';
import type { LiveAnswer } from './live.js';
import type { Outcome } from './metrics.js';
import { RecordBuilder } from './record.js';

export interface CacheState {
  outcome: Outcome;
  /** The entry's key in the backend (scope, generation, hash); undefined when the scope's generation was unreadable. */
  entryKey: string | undefined;
  hash: string;
  canon: CanonicalRequest | undefined;
  /** Semantic layer: the partition (scope + context) and the question's vector. */
  partition: string | undefined;
  vector: Float32Array | undefined;
  similarity: number | undefined;
  age: number | undefined;
  ttlMs: number;
  clientModel: string;
  leader: Extract<Joined, { leader: true }> | undefined;
  builder: RecordBuilder | undefined;
  /** This request holds the entry's cross-instance coalescing lock (released once its answer is stored or lost). */
  locked: boolean;
  /** A streaming follower's leader answer (its end carries the usage and the saving). */
  live?: LiveAnswer;
  /** The leader's client left and its answer was read to the end for its streaming followers. */
  drained?: boolean;
  /** What the hit saved, nano-USD (priced from the entry's usage). */
  savedNanos?: number;
}

export const CacheStateKey = defineAttribute<CacheState>('dgp.llm.cache_state');
