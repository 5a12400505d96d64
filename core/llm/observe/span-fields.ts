// The GenAI attributes of a sampled request's spans (the SERVER span and the CLIENT span of the attempt whose answer
// was returned), set once the answer is over: models, final usage with cached and reasoning tokens, finish reasons,
// time to first chunk; and dgp's own: cache status, cost, key alias (never the key), guardrail action, rate-limit rule.
import { RequestModel, defineAttribute, type RequestContext, type RequestEnd, type SpanAttributeValue } from '../../index.js';
import { clientRouteOf } from '../client-api.js';
import { LlmExchangeKey, type LlmExchange } from '../exchange.js';
import { LlmCacheOutcome } from '../governance/cache-outcome.js';
import { PrincipalAttr } from '../governance/principal.js';
import { GuardrailVerdicts, LlmChargeAttr, RateLimitVerdictAttr } from '../governance/request-verdicts.js';
import type { ResponseItem } from '../items.js';
import { formatUsd } from '../pricing/format.js';
import * as S from './semconv.js';

/** Finish reasons of the answer, collected only on sampled requests (subscribed when the first attempt starts). */
export class FinishReasons {
  readonly reasons: string[] = [];
  readonly onItem = (item: ResponseItem): void => {
    if (item.type === 'finish' && !this.reasons.includes(item.reason)) this.reasons.push(item.reason);
  };
}

export const FinishReasonsKey = defineAttribute<FinishReasons>('dgp.llm.trace_finish_reasons');

/** Subscribes the request's finish-reason collector to its exchange, once. */
export function watchFinishReasons(ctx: RequestContext, lx: LlmExchange | undefined): void {
  if (lx === undefined || ctx.get(FinishReasonsKey) !== undefined) return;
  const f = new FinishReasons();
  ctx.set(FinishReasonsKey, f);
  lx.subscribe(f.onItem, { finishOnly: true });
}

const SEVERITY: Record<string, number> = { allow: 0, warn: 1, redact: 2, block: 3 };

export function llmSpanFields(ctx: RequestContext, _end: RequestEnd, set: (name: string, value: SpanAttributeValue) => void): void {
  const lx = ctx.get(LlmExchangeKey);
  const route = clientRouteOf(ctx);
  if (lx === undefined && route.api === 'unknown') return;
  if (lx !== undefined && !lx.settled) lx.settle(ctx);
  set(S.GEN_AI_OPERATION_NAME, S.genAiOperation(lx?.operation ?? route.operation));
  const requested = ctx.get(RequestModel);
  if (requested !== undefined) set(S.GEN_AI_REQUEST_MODEL, requested);
  const target = lx?.target;
  if (target !== undefined) set(S.GEN_AI_PROVIDER_NAME, S.genAiProvider(target.provider));
  const responseModel = lx?.responseModel ?? target?.model;
  if (responseModel) set(S.GEN_AI_RESPONSE_MODEL, responseModel);
  const u = lx?.usage();
  if (u !== undefined) {
    set(S.GEN_AI_USAGE_INPUT_TOKENS, u.input);
    set(S.GEN_AI_USAGE_OUTPUT_TOKENS, u.output);
    set(S.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, u.cache_read);
    set(S.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, u.cache_write);
    set(S.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, u.reasoning);
  }
  const finish = ctx.get(FinishReasonsKey);
  if (finish !== undefined && finish.reasons.length > 0) set(S.GEN_AI_RESPONSE_FINISH_REASONS, finish.reasons);
  if (lx?.firstDataAt !== undefined) set(S.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, (lx.firstDataAt - ctx.startedAt) / 1000);
  const cache = ctx.get(LlmCacheOutcome);
  if (cache !== undefined) set('dgp.cache.status', cache);
  const charge = ctx.get(LlmChargeAttr);
  if (charge !== undefined) set('dgp.cost_usd', Number(formatUsd(charge.nanos)));
  const p = ctx.get(PrincipalAttr);
  if (p?.alias) set('dgp.key.alias', p.alias);
  if (p?.team) set('dgp.team.id', p.team);
  const verdicts = ctx.get(GuardrailVerdicts);
  if (verdicts !== undefined && verdicts.length > 0) {
    let worst = verdicts[0]!.action;
    for (const v of verdicts) if ((SEVERITY[v.action] ?? 0) > (SEVERITY[worst] ?? 0)) worst = v.action;
    set('dgp.guardrail.action', worst);
  }
  const rl = ctx.get(RateLimitVerdictAttr);
  if (rl !== undefined) set('dgp.ratelimit.binding_rule', rl.rule);
}
