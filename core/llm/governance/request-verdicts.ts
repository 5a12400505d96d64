// What the governance filters decided about one request, published for the audit record and the trace: the
// guardrail verdicts (set by a guardrails filter, one entry per check that acted), the rate-limit rule that refused
// the request, and the request's charge (set by dgp.filter.llm.keys once the answer is over).
import { defineAttribute, type RequestContext } from '../../index.js';
import { LlmGuardrailVerdicts, type GuardrailVerdict } from './guardrail-verdicts.js';

/** The request's guardrail verdicts (the guardrails filter's list), in the order the checks acted. */
export const GuardrailVerdicts = LlmGuardrailVerdicts;

/** Appends one verdict (a guardrails filter calls this for every check that blocked, redacted or warned). */
export function addGuardrailVerdict(ctx: Pick<RequestContext, 'get' | 'set'>, v: GuardrailVerdict): void {
  const list = ctx.get(GuardrailVerdicts);
  if (list === undefined) ctx.set(GuardrailVerdicts, [v]);
  else list.push(v);
}

/** The rate-limit rule that refused the request (set by dgp.filter.llm.ratelimit with its 429). */
export interface RateLimitVerdict {
  rule: string;
  /** requests | tokens | concurrency. */
  dimension: string;
}

export const RateLimitVerdictAttr = defineAttribute<RateLimitVerdict>('dgp.llm.ratelimit_verdict');

/** What the request cost, decided once when its answer was over. */
export interface LlmCharge {
  nanos: number;
  /** usage: the upstream's report; counted: the tokenizer's count; hold: the worst case held; error / none: nothing charged. */
  basis: 'usage' | 'counted' | 'hold' | 'error' | 'none';
  priced: boolean;
  /** Where the price came from: `genai-prices@0.1.8`, `override`; null when nothing was priced. */
  price_source: string | null;
}

export const LlmChargeAttr = defineAttribute<LlmCharge>('dgp.llm.charge');
