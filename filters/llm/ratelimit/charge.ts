// What a request really cost at its end, for reconciling its token reservation: the exchange's final usage (the
// upstream's), else the tokenizer's estimate, else — for an answer that was committed and ended without usage, e.g.
// a stream the client aborted — the prompt estimate plus the text that went out. Nothing committed, or an error
// status without usage: nothing was produced, nothing is charged.
import { LlmTokenUsage, type RequestContext } from '../../../core/index.js';
import { LlmExchangeKey } from '../../../core/llm/index.js';
import { costOf, type TokenUsage } from './estimate.js';
import type { Cell } from './rules.js';
import type { RequestLimits } from './state.js';

const NOTHING: TokenUsage = { input: 0, output: 0, cache_read: 0, cache_write: 0 };

export function finalUsage(ctx: RequestContext, st: RequestLimits): TokenUsage {
  const lx = ctx.get(LlmExchangeKey);
  const u = lx?.settle(ctx);
  if (u !== undefined) return u;
  const t = ctx.get(LlmTokenUsage);
  if (t !== undefined) return { input: t.prompt, output: t.completion, cache_read: t.cached, cache_write: 0 };
  if (lx?.target === undefined || ctx.response.status >= 400 || st.estimate === undefined) return NOTHING;
  return { ...NOTHING, input: st.estimate.input, output: Math.ceil(st.outputBytes / 4) };
}

export interface Adjustment {
  readonly cell: Cell;
  readonly delta: number;
  readonly charged: number;
}

/** Per token cell: the real cost minus what was reserved (request cells are never refunded: a request is a request). */
export function adjustments(st: RequestLimits, actual: TokenUsage): Adjustment[] {
  const out: Adjustment[] = [];
  for (const r of st.rates) {
    if (r.cell.dimension !== 'tokens') continue;
    const charged = costOf(r.cell.rule.count, actual);
    out.push({ cell: r.cell, delta: charged - r.cost, charged });
  }
  return out;
}
