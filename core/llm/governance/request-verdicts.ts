// What the governance filters decided about one request, published for the audit record and the trace: the
// guardrail verdicts (set by a guardrails filter, one entry per check that acted), the rate-limit rule that refused
// the request, and the request's charge (set by dgp.filter.llm.keys once the answer is over).
import { defineAttribute, type RequestContext } from '../../index.js';

export interface GuardrailVerdict {
  /** The check, e.g. `pii`, `secrets`, `deny`, `webhook`. */
  name: string;
  stage: 'input' | 'output';
  action: 'block' | 'redact' | 'warn' | 'allow';
  /** The rule or pattern name that fired (never the matched text). */
  rule?: string;
  /** Entity kinds found, e.g. `email`, `card`. */
  entities?: string[];
  /** How many matches were acted on. */
  count?: number;
}

/** The request's guardrail verdicts, in the order the checks acted; absent when no guardrail acted. */
export const GuardrailVerdicts = defineAttribute<GuardrailVerdict[]>('dgp.llm.guardrail_verdicts');

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
