// Token usage in one normalised form, whatever the provider reported: every provider quirk is handled here, once.
// The rule: `input` counts every prompt token, cached reads and cache writes included; `cache_read` and `cache_write`
// are parts of `input`. `output` counts every generated token, reasoning included; `reasoning` is part of `output`.
// `total` is the provider's total when it gives one, else input + output.
import type { JsonObject, ProviderApi } from './api.js';

export interface LlmUsage {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  reasoning: number;
  total: number;
}

/**
 * OpenAI (chat, completions, embeddings; the Responses API's input/output names): `prompt_tokens` already includes
 * the cached tokens (prompt_tokens_details.cached_tokens) and `completion_tokens` the reasoning tokens. OpenAI does
 * not report cache writes.
 */
export function normalizeOpenAiUsage(u: JsonObject): LlmUsage {
  const input = num(u.prompt_tokens) ?? num(u.input_tokens) ?? 0;
  const output = num(u.completion_tokens) ?? num(u.output_tokens) ?? 0;
  return {
    input,
    output,
    cache_read: num(sub(u.prompt_tokens_details, 'cached_tokens')) ?? num(sub(u.input_tokens_details, 'cached_tokens')) ?? 0,
    cache_write: 0,
    reasoning: num(sub(u.completion_tokens_details, 'reasoning_tokens')) ?? num(sub(u.output_tokens_details, 'reasoning_tokens')) ?? 0,
    total: num(u.total_tokens) ?? input + output,
  };
}

/**
 * Anthropic: `input_tokens` excludes the tokens read from the cache (`cache_read_input_tokens`) and those written to
 * it (`cache_creation_input_tokens`); thinking tokens are inside `output_tokens` and not counted apart.
 */
export function normalizeAnthropicUsage(u: JsonObject): LlmUsage {
  const cacheRead = num(u.cache_read_input_tokens) ?? 0;
  const cacheWrite = num(u.cache_creation_input_tokens) ?? 0;
  const input = (num(u.input_tokens) ?? 0) + cacheRead + cacheWrite;
  const output = num(u.output_tokens) ?? 0;
  return { input, output, cache_read: cacheRead, cache_write: cacheWrite, reasoning: 0, total: input + output };
}

/**
 * Gemini `usageMetadata`: `promptTokenCount` already counts the cached tokens (`cachedContentTokenCount`); tool-use
 * prompt tokens are counted apart and added; thinking tokens (`thoughtsTokenCount`) are not in candidatesTokenCount.
 */
export function normalizeGeminiUsage(u: JsonObject): LlmUsage {
  const input = (num(u.promptTokenCount) ?? 0) + (num(u.toolUsePromptTokenCount) ?? 0);
  const reasoning = num(u.thoughtsTokenCount) ?? 0;
  const output = (num(u.candidatesTokenCount) ?? 0) + reasoning;
  return { input, output, cache_read: num(u.cachedContentTokenCount) ?? 0, cache_write: 0, reasoning, total: num(u.totalTokenCount) ?? input + output };
}

/**
 * Bedrock Converse `usage`: like Anthropic's, `inputTokens` excludes cache reads and writes (`cacheReadInputTokens`,
 * `cacheWriteInputTokens`); `totalTokens` counts them all.
 */
export function normalizeBedrockUsage(u: JsonObject): LlmUsage {
  const cacheRead = num(u.cacheReadInputTokens) ?? 0;
  const cacheWrite = num(u.cacheWriteInputTokens) ?? 0;
  const input = (num(u.inputTokens) ?? 0) + cacheRead + cacheWrite;
  const output = num(u.outputTokens) ?? 0;
  return { input, output, cache_read: cacheRead, cache_write: cacheWrite, reasoning: 0, total: num(u.totalTokens) ?? input + output };
}

/** A usage object of unknown origin, recognised by its field names (Anthropic's cache fields, else OpenAI's names). */
export function normalizeAnyUsage(u: JsonObject): LlmUsage {
  if (u.prompt_tokens === undefined && (u.cache_read_input_tokens !== undefined || u.cache_creation_input_tokens !== undefined)) {
    return normalizeAnthropicUsage(u);
  }
  return normalizeOpenAiUsage(u);
}

/**
 * Collects the usage an upstream reports over one response — a unary body, or every event of a stream — in its own
 * wire API. Reports are merged field by field, the latest value winning, never added: Anthropic's message_start and
 * cumulative message_delta, and Gemini's cumulative usageMetadata, are not counted twice.
 */
export class UsageAccumulator {
  /** The model the response names, when it does. */
  model: string | undefined;
  readonly #api: ProviderApi;
  readonly #raw: JsonObject = {};
  #seen = false;

  constructor(api: ProviderApi) {
    this.#api = api;
  }

  /** True once a report with at least one count arrived. */
  get found(): boolean {
    return this.#seen;
  }

  /** One parsed response object or stream event of this API (an array: Gemini's JSON-array stream). */
  observe(value: unknown): void {
    if (Array.isArray(value)) {
      for (const v of value) this.observe(v);
      return;
    }
    if (!isObj(value)) return;
    const message = isObj(value.message) ? value.message : undefined;
    const response = isObj(value.response) ? value.response : undefined;
    const model = str(value.model) ?? str(message?.model) ?? str(response?.model) ?? str(value.modelVersion);
    if (model !== undefined) this.model = model;
    if (this.#api === 'gemini') {
      if (isObj(value.usageMetadata)) this.#merge(value.usageMetadata);
      return;
    }
    if (this.#api === 'bedrock') {
      // A unary answer's `usage`, or a stream's `metadata` event (events are read in the AWS SDK's union shape).
      const usage = isObj(value.usage) ? value.usage : isObj(value.metadata) ? value.metadata.usage : undefined;
      if (isObj(usage)) this.#merge(usage);
      return;
    }
    if (isObj(value.usage)) this.#merge(value.usage);
    if (isObj(message?.usage)) this.#merge(message.usage);
    if (isObj(response?.usage)) this.#merge(response.usage);
  }

  /** The merged usage fields as the upstream named them (for Pixiu's log_to_console lines). */
  raw(): JsonObject {
    return this.#raw;
  }

  result(): LlmUsage | undefined {
    return this.#seen ? normalizeUsage(this.#api, this.#raw) : undefined;
  }

  #merge(from: JsonObject): void {
    const raw = this.#raw;
    for (const k in from) {
      if (!Object.hasOwn(from, k)) continue;
      const v = from[k];
      if (v === null || v === undefined) continue;
      if (isObj(v)) {
        const had = raw[k];
        raw[k] = isObj(had) ? { ...had, ...v } : { ...v };
      } else raw[k] = v;
      if (typeof v === 'number') this.#seen = true;
    }
  }
}

/** One usage report of `api` as the upstream sent it, normalised. */
function normalizeUsage(api: ProviderApi, raw: JsonObject): LlmUsage {
  if (api === 'gemini') return normalizeGeminiUsage(raw);
  if (api === 'anthropic') return normalizeAnthropicUsage(raw);
  if (api === 'bedrock') return normalizeBedrockUsage(raw);
  return normalizeOpenAiUsage(raw);
}

/**
 * One usage report of `api` taken alone (a unary answer's): what an accumulator fed only this report would give —
 * the normalised usage and the raw fields without nulls — without copying it; undefined when no member is a number.
 */
export function usageOfReport(api: ProviderApi, report: unknown): { usage: LlmUsage; raw: JsonObject } | undefined {
  if (!isObj(report)) return undefined;
  let counted = false;
  let nulls = false;
  for (const k in report) {
    const v = report[k];
    if (typeof v === 'number') counted = true;
    else if (v === null) nulls = true;
  }
  if (!counted) return undefined;
  let raw = report;
  if (nulls) {
    raw = {};
    for (const k in report) if (report[k] !== null) raw[k] = report[k];
  }
  return { usage: normalizeUsage(api, report), raw };
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function sub(v: unknown, key: string): unknown {
  return isObj(v) ? v[key] : undefined;
}

/** A usable count: a finite number >= 0, truncated like Pixiu's int64 conversion. */
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.trunc(v) : undefined;
}
