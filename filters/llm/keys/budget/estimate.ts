// The worst-case cost a request is held for before the upstream call: its prompt plus the most output it may get
// (the request's max_tokens, else a configured reserve), capped by what the model can produce.
import type { ModelLimits, NormalizedUsage, PriceBook, RequestPrice } from '../../../../core/llm/index.js';

/** LiteLLM reserves 16,384 output tokens when a request sets none; 4,096 holds less money idle for typical chats. */
export const DEFAULT_OUTPUT_RESERVE_TOKENS = 4096;

export interface EstimateInput {
  /** The prompt's token estimate (count or a byte-based upper bound). */
  promptTokens: number;
  /** The request's max_tokens / max_completion_tokens / max_output_tokens, when it sets one. */
  maxTokens?: number | null;
  /** Output held when the request sets no max_tokens. Default: 4096. */
  outputReserveTokens?: number;
  /** Completions asked for at once (OpenAI `n`, Gemini `candidateCount`); each may use the whole output. Default: 1. */
  choices?: number;
  modelLimits?: ModelLimits;
}

/** The worst-case token usage: output is min(max_tokens or reserve, max_output, context_window - prompt) per choice. */
export function worstCaseUsage(input: EstimateInput): NormalizedUsage {
  return usageWithin(input, input.modelLimits ?? {});
}

function usageWithin(input: Omit<EstimateInput, 'modelLimits'>, limits: ModelLimits): NormalizedUsage {
  const prompt = wholeTokens('promptTokens', input.promptTokens);
  const asked = input.maxTokens ?? input.outputReserveTokens ?? DEFAULT_OUTPUT_RESERVE_TOKENS;
  let output = wholeTokens('maxTokens', asked);
  if (limits.max_output !== undefined) output = Math.min(output, limits.max_output);
  if (limits.context_window !== undefined) output = Math.max(0, Math.min(output, limits.context_window - prompt));
  output *= wholeTokens('choices', input.choices ?? 1);
  return { input: prompt, output, cache_read: 0, cache_write: 0, reasoning: 0, total: prompt + output };
}

/** The worst-case cost in nano-USD, with the price it came from (`known: false` → the caller's unknown_price rule). */
export function estimateCost(book: PriceBook, provider: string, model: string, input: Omit<EstimateInput, 'modelLimits'>): RequestPrice & { usage: NormalizedUsage } {
  const usage = worstCaseUsage({ ...input, modelLimits: book.limits(provider, model) });
  return { ...book.price(provider, model, usage), usage };
}

/** The worst-case price with the model's limits already looked up (the per-request path: no copies). */
export function worstCasePrice(book: PriceBook, provider: string, model: string, input: Omit<EstimateInput, 'modelLimits'>, limits: ModelLimits): RequestPrice {
  return book.price(provider, model, usageWithin(input, limits));
}

function wholeTokens(name: string, n: number): number {
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`estimate: ${name} must be a whole number >= 0, got ${n}`);
  return n;
}
