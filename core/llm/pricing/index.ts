// The price book and per-request cost (docs/pricing.md): bundled genai-prices data plus operator overrides,
// money in integer nano-USD.
export { createPriceBook, type PriceBook, type PriceBookOptions, type PriceSource, type RequestPrice, type ModelLimits } from './price-book.js';
export { formatUsd } from './format.js';
export { BUNDLED_SOURCE, bundledProviderId } from './bundled.js';
export { PriceOverrides, PriceOverrideEntry } from './override-schema.js';
export type { CostBreakdown } from './rates.js';
export type { NormalizedUsage } from './usage.js';
