// The bundled price book: @pydantic/genai-prices (pinned exactly in package.json), read offline. Its data ships in
// the package; `updatePrices` (the library's optional remote refresh) is never called, so prices change only when the
// pinned version is bumped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { calcPrice, type ConditionalPrice, type ModelInfo, type ModelPrice } from '@pydantic/genai-prices';
import { compileCard, type PriceFields, type PriceValue, type RateCard } from './rates.js';

/** `genai-prices@<version>` of the installed package, read once from its package.json. */
export const BUNDLED_SOURCE = `genai-prices@${bundledVersion()}` as const;

function bundledVersion(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@pydantic/genai-prices');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/**
 * Our `llm_meta.provider` labels → genai-prices provider ids. `null`: self-hosted servers whose model names say
 * nothing about a price (a vLLM serving Llama costs what the operator's GPUs cost): only an override prices them.
 * A label not listed here is looked up as a genai-prices id as it is (groq, together, fireworks, cohere, …).
 */
const PROVIDER_IDS: Readonly<Record<string, string | null>> = {
  openai: 'openai',
  'azure-openai': 'azure',
  azure: 'azure',
  anthropic: 'anthropic',
  gemini: 'google',
  google: 'google',
  vertex: 'google',
  'vertex-ai': 'google',
  bedrock: 'aws',
  'aws-bedrock': 'aws',
  deepseek: 'deepseek',
  xai: 'x-ai',
  'x-ai': 'x-ai',
  grok: 'x-ai',
  openrouter: 'openrouter',
  mistral: 'mistral',
  moonshot: 'moonshotai',
  vllm: null,
  ollama: null,
  sglang: null,
  tgi: null,
  'llama-cpp': null,
  llamacpp: null,
  lmstudio: null,
  localai: null,
};

/** The genai-prices provider id for one of our labels, or null when the bundled book never prices it. */
export function bundledProviderId(provider: string): string | null {
  const label = provider.toLowerCase().trim();
  const mapped = PROVIDER_IDS[label];
  return mapped === undefined ? label : mapped;
}

/** When a conditional price applies: from a date on, or during a UTC time-of-day window (DeepSeek's off-peak hours). */
type Constraint = { readonly kind: 'since'; readonly at: number } | { readonly kind: 'daily'; readonly from: number; readonly to: number };

interface Variant {
  readonly constraint: Constraint | undefined;
  readonly card: RateCard | undefined;
  /** The price-entry key for this variant, e.g. `deepseek/deepseek-chat@00:30:00Z-16:30:00Z`. */
  readonly key: string;
}

/** One bundled model's prices, compiled once: its variants and its context window. */
export interface BundledEntry {
  readonly key: string;
  readonly contextWindow: number | undefined;
  /** The card and key in force now (the clock is read only for conditional prices); card undefined when the entry has no token prices. */
  at(now: () => Date): { card: RateCard | undefined; key: string };
}

/**
 * Looks a model up in the bundled book under one provider (the library's own matching and date-suffix rules); with
 * no provider, under whichever provider the library matches the model name to.
 */
export function lookupBundled(provider: string | undefined, model: string): BundledEntry | undefined {
  const providerId = provider === undefined ? undefined : bundledProviderId(provider);
  if (providerId === null || model.trim() === '') return undefined;
  let found: ReturnType<typeof calcPrice>;
  try {
    found = calcPrice({}, model, providerId === undefined ? {} : { providerId });
  } catch {
    return undefined; // data the library itself refuses to price is unknown to us as well
  }
  if (!found) return undefined;
  const key = `${found.provider.id}/${found.model.id}`;
  return entryOf(key, found.model);
}

function entryOf(key: string, model: ModelInfo): BundledEntry {
  const contextWindow = model.context_window;
  if (!Array.isArray(model.prices)) {
    const fixed = { card: cardOf(model.prices), key };
    return { key, contextWindow, at: () => fixed };
  }
  const variants: Variant[] = (model.prices as ConditionalPrice[]).map((p) => ({
    constraint: constraintOf(p),
    card: cardOf(p.prices),
    key: p.constraint ? `${key}@${describe(p)}` : key,
  }));
  return {
    key,
    contextWindow,
    at(now) {
      const v = select(variants, now());
      return { card: v.card, key: v.key };
    },
  };
}

function describe(p: ConditionalPrice): string {
  const c = p.constraint!;
  return c.type === 'start_date' ? c.start_date : `${c.start_time}-${c.end_time}`;
}

/** genai-prices' rule: the last variant whose constraint holds wins; none holding → the first. */
function select(variants: readonly Variant[], at: Date): Variant {
  const ms = at.getTime();
  const secOfDay = (ms / 1000) % 86_400;
  for (let i = variants.length - 1; i >= 0; i--) {
    const c = variants[i]!.constraint;
    if (c === undefined) return variants[i]!;
    if (c.kind === 'since' ? ms >= c.at : c.to < c.from ? secOfDay >= c.from || secOfDay < c.to : secOfDay >= c.from && secOfDay < c.to) return variants[i]!;
  }
  return variants[0]!;
}

function constraintOf(p: ConditionalPrice): Constraint | undefined {
  const c = p.constraint;
  if (!c) return undefined;
  if (c.type === 'start_date') return { kind: 'since', at: Date.parse(`${c.start_date}T00:00:00Z`) };
  return { kind: 'daily', from: secondsOfDay(c.start_time), to: secondsOfDay(c.end_time) };
}

/** "00:30:00Z" or "08:00:00+08:00" → seconds after UTC midnight. */
function secondsOfDay(text: string): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!m) throw new RangeError(`genai-prices: bad time-of-day constraint ${text}`);
  const offset = m[4] === 'Z' ? 0 : (m[5] === '+' ? 1 : -1) * (Number(m[6]) * 3600 + Number(m[7]) * 60);
  return (((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) - offset) % 86_400) + 86_400) % 86_400;
}

/** Token prices only: audio, image and tool-call units never appear in a NormalizedUsage. */
function cardOf(prices: ModelPrice): RateCard | undefined {
  if (prices.input_mtok === undefined && prices.output_mtok === undefined) return undefined;
  const pick = (k: keyof PriceFields) => prices[k] as PriceValue | undefined;
  return compileCard({
    input_mtok: pick('input_mtok'),
    output_mtok: pick('output_mtok'),
    cache_read_mtok: pick('cache_read_mtok'),
    cache_write_mtok: pick('cache_write_mtok'),
    output_reasoning_mtok: pick('output_reasoning_mtok'),
    requests_kcount: pick('requests_kcount'),
  });
}
