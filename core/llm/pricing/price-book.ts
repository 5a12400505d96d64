// The price book: one request's cost from its normalised usage, and a model's limits for budget reservations.
// Overrides win over the bundled genai-prices book; lookups are cached per (provider, model), since every request
// is priced.
import { BUNDLED_SOURCE, lookupBundled, type BundledEntry } from './bundled.js';
import { loadOverrides, type OverrideMatch, type OverrideTable } from './overrides.js';
import { costOf, type CostBreakdown, type RateCard } from './rates.js';
import { splitUsage, type NormalizedUsage } from './usage.js';

export type PriceSource = typeof BUNDLED_SOURCE | 'override';

export interface RequestPrice {
  /**
   * Cost in integer nano-USD (10^-9 USD), rounded half-up once from the exact cost. A Number: exact up to
   * Number.MAX_SAFE_INTEGER nano-USD (about $9 million) for one request, far above any single request, and it goes
   * straight into JSON, logs and Prometheus. Sums over many requests (ledgers) may want BigInt; formatUsd takes both.
   */
  readonly nanos: number;
  /** false: neither the overrides nor the bundled book price this model; nanos is 0 and the caller decides. */
  readonly known: boolean;
  /** Where the price came from; 'none' when unknown. */
  readonly source: PriceSource | 'none';
  /** The matched entry: `openai/gpt-4o-mini`, `deepseek/deepseek-chat@00:30:00Z-16:30:00Z`, or the override's `provider/model`; '' when unknown. */
  readonly key: string;
  readonly breakdown: CostBreakdown;
}

export interface ModelLimits {
  /** Most tokens (prompt + output) the model takes per request. */
  readonly context_window?: number;
  /** Most output tokens per request (from the overrides; the bundled book has none). */
  readonly max_output?: number;
}

export interface PriceBook {
  /** Prices one request. Throws RangeError only for a malformed usage (negative or fractional counts). */
  price(provider: string, model: string, usage: NormalizedUsage): RequestPrice;
  /** The limits budget reservations use; {} when nothing is known. */
  limits(provider: string, model: string): ModelLimits;
  /**
   * The book's name for a model — the bundled entry (`openai/gpt-4o` for `gpt-4o-2024-08-06`) or the override's
   * `provider/model` as written —, or undefined when the book does not know it. Without a provider, any provider's
   * entry. A bounded vocabulary: metrics label models by it.
   */
  modelKey(provider: string | undefined, model: string): string | undefined;
  /** The bundled book's source tag, e.g. `genai-prices@0.1.8`. */
  readonly bundledSource: typeof BUNDLED_SOURCE;
}

export interface PriceBookOptions {
  /** The override file (path relative to `configDir`, YAML or JSON) or its parsed content. */
  overrides?: string | object;
  /** Directory override paths are relative to. Default: process.cwd(). */
  configDir?: string;
  /** The clock conditional prices (off-peak hours, price changes on a date) are chosen by. Default: the system clock. */
  now?: () => Date;
  /** Most (provider, model) lookups kept; the cache starts over when full. Default: 4096. */
  cacheSize?: number;
}

const NO_COST: CostBreakdown = Object.freeze({ input: 0, cache_read: 0, cache_write: 0, output: 0, request: 0 });
const UNKNOWN: RequestPrice = Object.freeze({ nanos: 0, known: false, source: 'none', key: '', breakdown: NO_COST });

type Resolved =
  | { readonly kind: 'override'; readonly match: OverrideMatch; readonly bundled: BundledEntry | undefined }
  | { readonly kind: 'bundled'; readonly entry: BundledEntry }
  | { readonly kind: 'unknown' };

/** Builds a price book; a bad override file throws DGP_ERR_PRICING_OVERRIDES here, never at request time. */
export function createPriceBook(options: PriceBookOptions = {}): PriceBook {
  const overrides: OverrideTable | undefined = options.overrides === undefined ? undefined : loadOverrides(options.overrides, options.configDir);
  const now = options.now ?? (() => new Date());
  const cacheSize = options.cacheSize ?? 4096;
  // By provider, then model: two lookups by strings already hashed, rather than one by a key string built per call.
  const cache = new Map<string | undefined, Map<string, Resolved>>();
  let cached = 0;

  function resolveModel(provider: string | undefined, model: string): Resolved {
    let byModel = cache.get(provider);
    let r = byModel?.get(model);
    if (r) return r;
    const match = overrides?.match(provider ?? '', model);
    const bundled = lookupBundled(provider, model);
    r = match ? { kind: 'override', match, bundled } : bundled ? { kind: 'bundled', entry: bundled } : { kind: 'unknown' };
    if (cached >= cacheSize) {
      // Model names come from upstream answers: never let them grow memory.
      cache.clear();
      cached = 0;
      byModel = undefined;
    }
    if (byModel === undefined) cache.set(provider, (byModel = new Map()));
    byModel.set(model, r);
    cached++;
    return r;
  }

  function priced(card: RateCard, source: PriceSource, key: string, usage: NormalizedUsage): RequestPrice {
    const cost = costOf(card, usage, splitUsage(usage));
    return { nanos: cost.total, known: true, source, key, breakdown: cost.breakdown };
  }

  return {
    bundledSource: BUNDLED_SOURCE,
    price(provider, model, usage) {
      const r = resolveModel(provider, model);
      if (r.kind === 'override') return priced(r.match.card, 'override', r.match.key, usage);
      if (r.kind === 'bundled') {
        const { card, key } = r.entry.at(now);
        if (card) return priced(card, BUNDLED_SOURCE, key, usage);
      }
      splitUsage(usage); // a malformed usage is a bug whether or not the model is known
      return UNKNOWN;
    },
    modelKey(provider, model) {
      const r = resolveModel(provider, model);
      return r.kind === 'override' ? r.match.key : r.kind === 'bundled' ? r.entry.key : undefined;
    },
    limits(provider, model) {
      const r = resolveModel(provider, model);
      const bundled = r.kind === 'override' ? r.bundled : r.kind === 'bundled' ? r.entry : undefined;
      const entry = r.kind === 'override' ? r.match.entry : undefined;
      const contextWindow = entry?.context_window ?? bundled?.contextWindow;
      const out: { context_window?: number; max_output?: number } = {};
      if (contextWindow !== undefined) out.context_window = contextWindow;
      if (entry?.max_output !== undefined) out.max_output = entry.max_output;
      return out;
    },
  };
}
