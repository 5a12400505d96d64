// Test helpers: provider usage payloads as the APIs send them, normalised by the documented rule (docs/pricing.md),
// and the bundled per-million prices the hand computations in the tests use (checked against the book itself).
import type { NormalizedUsage } from '../../../../core/llm/index.js';

export function usage(input: number, output: number, parts: Partial<Pick<NormalizedUsage, 'cache_read' | 'cache_write' | 'reasoning'>> = {}): NormalizedUsage {
  return { input, output, cache_read: parts.cache_read ?? 0, cache_write: parts.cache_write ?? 0, reasoning: parts.reasoning ?? 0, total: input + output };
}

/** OpenAI Chat Completions `usage` (also xAI, DeepSeek, OpenRouter): prompt_tokens already holds the cached tokens. */
export function fromOpenAI(u: {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; text_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}): NormalizedUsage {
  return usage(u.prompt_tokens, u.completion_tokens, {
    cache_read: u.prompt_tokens_details?.cached_tokens ?? 0,
    reasoning: u.completion_tokens_details?.reasoning_tokens ?? 0,
  });
}

/** Anthropic Messages `usage`: input_tokens is only the uncached part; the two cache counts are added to it. */
export function fromAnthropic(u: { input_tokens: number; output_tokens: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number }): NormalizedUsage {
  const read = u.cache_read_input_tokens ?? 0;
  const write = u.cache_creation_input_tokens ?? 0;
  return usage(u.input_tokens + read + write, u.output_tokens, { cache_read: read, cache_write: write });
}

/** Gemini `usageMetadata`: promptTokenCount holds the cached tokens; thoughts are counted apart from candidates. */
export function fromGemini(u: { promptTokenCount: number; candidatesTokenCount: number; cachedContentTokenCount?: number; thoughtsTokenCount?: number }): NormalizedUsage {
  const thoughts = u.thoughtsTokenCount ?? 0;
  return usage(u.promptTokenCount, u.candidatesTokenCount + thoughts, { cache_read: u.cachedContentTokenCount ?? 0, reasoning: thoughts });
}

/** USD per million tokens in the bundled book (genai-prices 0.1.8), the numbers every hand computation below uses. */
export const BOOK = {
  'openai/gpt-4o-mini-2024-07-18': { input_mtok: 0.15, cache_read_mtok: 0.075, output_mtok: 0.6 },
  'openai/o3-mini': { input_mtok: 1.1, cache_read_mtok: 0.55, output_mtok: 4.4 },
  'anthropic/claude-sonnet-4-5-20250929': {
    input_mtok: { base: 3, tiers: [{ start: 200000, price: 6 }] },
    cache_write_mtok: { base: 3.75, tiers: [{ start: 200000, price: 7.5 }] },
    cache_read_mtok: { base: 0.3, tiers: [{ start: 200000, price: 0.6 }] },
    output_mtok: { base: 15, tiers: [{ start: 200000, price: 22.5 }] },
  },
  'gemini/gemini-2.5-flash': { input_mtok: 0.3, cache_read_mtok: 0.03, output_mtok: 2.5 },
  'gemini/gemini-2.5-pro': {
    input_mtok: { base: 1.25, tiers: [{ start: 200000, price: 2.5 }] },
    cache_read_mtok: { base: 0.125, tiers: [{ start: 200000, price: 0.25 }] },
    output_mtok: { base: 10, tiers: [{ start: 200000, price: 15 }] },
  },
  'xai/grok-3-mini': { input_mtok: 0.3, cache_read_mtok: 0.075, output_mtok: 0.5 },
  'perplexity/sonar': { input_mtok: 1, output_mtok: 1, requests_kcount: 12 },
  'perplexity/sonar-deep-research': { input_mtok: 2, output_mtok: 8, output_reasoning_mtok: 3 },
} as const;
