// The normalised token usage of one LLM exchange, the only input the price book takes. Each provider's counting rules
// are applied once, when the usage is normalised; pricing never looks at provider-specific fields.
import type { LlmUsage } from '../usage.js';

/**
 * The price book takes the exchange's normalised usage as it is (core/llm/usage.ts states each provider's rule):
 * `cache_read` and `cache_write` are parts of `input`, `reasoning` is part of `output`.
 */
export type NormalizedUsage = Readonly<LlmUsage>;

/** Token counts by the rate each is charged at; the parts add up to `input + output`. */
export interface UsageParts {
  /** Prompt tokens charged at the plain input rate: input − cache_read − cache_write, never below 0. */
  readonly uncached_input: number;
  readonly cache_read: number;
  readonly cache_write: number;
  /** Output tokens other than reasoning. */
  readonly plain_output: number;
  readonly reasoning: number;
}

const FIELDS = ['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const;

/**
 * Splits a usage into disjoint parts. A count that is not a non-negative safe integer is a normalisation bug and
 * throws. Subsets larger than their whole (a provider that reports more cached tokens than prompt tokens) are
 * trusted for the subset: the plain part becomes 0 instead of negative, so no token is ever charged twice.
 */
export function splitUsage(usage: NormalizedUsage): UsageParts {
  for (const f of FIELDS) {
    const v = usage[f];
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`usage.${f} must be a non-negative integer, got ${String(v)}`);
  }
  const cacheRead = usage.cache_read;
  const cacheWrite = usage.cache_write;
  const reasoning = Math.min(usage.reasoning, usage.output);
  return {
    uncached_input: Math.max(0, usage.input - cacheRead - cacheWrite),
    cache_read: cacheRead,
    cache_write: cacheWrite,
    plain_output: usage.output - reasoning,
    reasoning,
  };
}
