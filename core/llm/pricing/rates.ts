// Exact money arithmetic for one price entry: per-million-token prices (binary floats in the data) are turned into
// exact decimals once, each request's cost is an exact rational, rounded half-up to integer nano-USD once.
import type { NormalizedUsage, UsageParts } from './usage.js';

/** A price as written in a price table: USD per million tokens (or per thousand requests), flat or tiered. */
export type PriceValue = number | { readonly base: number; readonly tiers: ReadonlyArray<{ readonly start: number; readonly price: number }> };

/** The prices a card is built from (genai-prices' key names; all optional). */
export interface PriceFields {
  readonly input_mtok?: PriceValue | undefined;
  readonly output_mtok?: PriceValue | undefined;
  readonly cache_read_mtok?: PriceValue | undefined;
  readonly cache_write_mtok?: PriceValue | undefined;
  readonly output_reasoning_mtok?: PriceValue | undefined;
  readonly requests_kcount?: PriceValue | undefined;
}

/** Cost of one request in integer nano-USD, by part. Each part is rounded on its own (see `total` in CostResult). */
export interface CostBreakdown {
  /** Prompt tokens outside the cache, at the input rate. */
  readonly input: number;
  readonly cache_read: number;
  readonly cache_write: number;
  /** Output tokens, reasoning included (at the reasoning rate where the book has one). */
  readonly output: number;
  /** A fixed per-request fee (a few search-backed models); 0 for almost every model. */
  readonly request: number;
}

/** A rate in nano-USD per unit, as `numerator / card.denominator`; tiers switch on the request's total input. */
interface Rate {
  readonly base: bigint;
  readonly tiers: ReadonlyArray<{ readonly start: number; readonly value: bigint; readonly n: number }>;
  /** `base` as a Number when it is a safe integer, else NaN (the exact path is then the only one). */
  readonly n: number;
}

/** One price entry compiled for exact pricing. */
export interface RateCard {
  /** 10^scale: every rate's numerator is over this. */
  readonly denominator: bigint;
  /** `denominator` as a Number when it is a safe integer, else NaN. */
  readonly denominatorN: number;
  readonly input: Rate;
  readonly cache_read: Rate;
  readonly cache_write: Rate;
  readonly output: Rate;
  readonly reasoning: Rate;
  readonly request: Rate | undefined;
}

const ZERO: Rate = { base: 0n, tiers: [], n: 0 };

const safeN = (v: bigint): number => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : Number.NaN);
const NANO_PER_USD_PER_MTOK = 1000n; // $1 per million tokens = 1000 nano-USD per token
const NANO_PER_USD_PER_KREQ = 1_000_000n; // $1 per thousand requests = 10^6 nano-USD per request

/** The exact decimal a float's shortest round-trip text names: 0.075 → 75 / 10^3 (not the binary 0.07499999…). */
export function exactDecimal(x: number): { digits: bigint; scale: number } {
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`a price must be a finite non-negative number, got ${x}`);
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) throw new RangeError(`unexpected number text ${String(x)}`);
  const frac = m[2] ?? '';
  let digits = BigInt(m[1]! + frac);
  let scale = frac.length - Number(m[3] ?? 0);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}

function valuesOf(v: PriceValue): number[] {
  return typeof v === 'number' ? [v] : [v.base, ...v.tiers.map((t) => t.price)];
}

/** Compiles a price entry. Missing cache rates fall back to the input rate: the provider then bills cached tokens as input. */
export function compileCard(fields: PriceFields): RateCard {
  const present = [fields.input_mtok, fields.output_mtok, fields.cache_read_mtok, fields.cache_write_mtok, fields.output_reasoning_mtok, fields.requests_kcount];
  let scale = 0;
  for (const v of present) if (v !== undefined) for (const n of valuesOf(v)) scale = Math.max(scale, exactDecimal(n).scale);
  const denominator = 10n ** BigInt(scale);
  const num = (n: number, unit: bigint): bigint => {
    const d = exactDecimal(n);
    return d.digits * 10n ** BigInt(scale - d.scale) * unit;
  };
  const rate = (v: PriceValue | undefined, unit = NANO_PER_USD_PER_MTOK): Rate | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === 'number') {
      const base = num(v, unit);
      return { base, tiers: [], n: safeN(base) };
    }
    const tiers = [...v.tiers].sort((a, b) => a.start - b.start).map((t) => {
      const value = num(t.price, unit);
      return { start: t.start, value, n: safeN(value) };
    });
    const base = num(v.base, unit);
    return { base, tiers, n: safeN(base) };
  };
  const input = rate(fields.input_mtok) ?? ZERO;
  const output = rate(fields.output_mtok) ?? ZERO;
  return {
    denominator,
    denominatorN: safeN(denominator),
    input,
    cache_read: rate(fields.cache_read_mtok) ?? input,
    cache_write: rate(fields.cache_write_mtok) ?? input,
    output,
    reasoning: rate(fields.output_reasoning_mtok) ?? output,
    request: rate(fields.requests_kcount, NANO_PER_USD_PER_KREQ),
  };
}

/** genai-prices' tier rule: the last tier whose `start` the request's total input exceeds prices every token. */
function pick(rate: Rate, totalInput: number): bigint {
  let v = rate.base;
  for (const t of rate.tiers) if (totalInput > t.start) v = t.value;
  return v;
}

export interface CostResult {
  /** The exact sum rounded half-up once: may differ from the sum of the rounded parts by at most 2 nano-USD. */
  readonly total: number;
  readonly breakdown: CostBreakdown;
}

function roundHalfUp(exact: bigint, denominator: bigint): number {
  return Number((exact + denominator / 2n) / denominator);
}

function pickN(rate: Rate, totalInput: number): number {
  let v = rate.n;
  for (const t of rate.tiers) if (totalInput > t.start) v = t.n;
  return v;
}

const MAX = Number.MAX_SAFE_INTEGER;

/** x / d rounded half up, for a safe integer x + d/2 and a power of ten d: exact, like the BigInt path. */
function roundHalfUpN(x: number, d: number): number {
  const y = x + Math.floor(d / 2);
  let q = Math.floor(y / d);
  // A quotient just under an integer may round up to it in floating point; never down.
  if (q * d > y) q -= 1;
  return q;
}

/**
 * The same prices with Numbers, where every product and the sum stay safe integers (every real request): the
 * results are identical, without a BigInt per part. undefined: out of that range, take the exact path.
 */
function costOfN(card: RateCard, n: number, parts: UsageParts): CostResult | undefined {
  const d = card.denominatorN;
  const input = parts.uncached_input * pickN(card.input, n);
  const cacheRead = parts.cache_read * pickN(card.cache_read, n);
  const cacheWrite = parts.cache_write * pickN(card.cache_write, n);
  const output = parts.plain_output * pickN(card.output, n) + parts.reasoning * pickN(card.reasoning, n);
  const request = card.request ? pickN(card.request, n) : 0;
  const sum = input + cacheRead + cacheWrite + output + request;
  // Each part is a product of non-negative integers, so a sum within the safe range means every product was exact.
  // NaN (a rate or the denominator too large) fails the comparison too.
  if (!(sum + d <= MAX)) return undefined;
  return {
    total: roundHalfUpN(sum, d),
    breakdown: {
      input: roundHalfUpN(input, d),
      cache_read: roundHalfUpN(cacheRead, d),
      cache_write: roundHalfUpN(cacheWrite, d),
      output: roundHalfUpN(output, d),
      request: roundHalfUpN(request, d),
    },
  };
}

/** Prices the disjoint usage parts with one card. */
export function costOf(card: RateCard, usage: NormalizedUsage, parts: UsageParts): CostResult {
  const fast = costOfN(card, usage.input, parts);
  if (fast !== undefined) return fast;
  const d = card.denominator;
  const n = usage.input;
  const input = BigInt(parts.uncached_input) * pick(card.input, n);
  const cacheRead = BigInt(parts.cache_read) * pick(card.cache_read, n);
  const cacheWrite = BigInt(parts.cache_write) * pick(card.cache_write, n);
  const output = BigInt(parts.plain_output) * pick(card.output, n) + BigInt(parts.reasoning) * pick(card.reasoning, n);
  const request = card.request ? pick(card.request, n) : 0n;
  const total = roundHalfUp(input + cacheRead + cacheWrite + output + request, d);
  if (!Number.isSafeInteger(total)) throw new RangeError(`request cost ${total} nano-USD exceeds Number.MAX_SAFE_INTEGER`);
  return {
    total,
    breakdown: {
      input: roundHalfUp(input, d),
      cache_read: roundHalfUp(cacheRead, d),
      cache_write: roundHalfUp(cacheWrite, d),
      output: roundHalfUp(output, d),
      request: roundHalfUp(request, d),
    },
  };
}
