// What the response taps (response-tap.ts, unary-tap.ts) share: the lazily built codec context and the last step of
// every tap, handing the usage found to the exchange.
import type { CodecContext } from './api.js';
import type { LlmExchange } from './exchange.js';
import type { UsageAccumulator } from './usage.js';

/** A codec context, or how to make one: built only when items are decoded (most answers are only read for usage). */
export type LazyCodecContext = CodecContext | (() => CodecContext);

export const contextOf = (cx: LazyCodecContext): CodecContext => (typeof cx === 'function' ? cx() : cx);

export function settleUsage(lx: LlmExchange, acc: UsageAccumulator): void {
  if (acc.model !== undefined) lx.responseModel = acc.model;
  lx.setUsage(acc.result(), acc.found ? acc.raw() : undefined);
}
