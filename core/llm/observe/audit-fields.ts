// The LLM part of a request's audit record: who called (the principal), what was asked and answered (API, models,
// provider), the final usage and cost, latencies, cache, guardrail and rate-limit verdicts, the outcome in
// governance terms, and the HMAC of the prompt. Runs once per request after the chain's onComplete hooks, so the
// exchange is settled and the keys filter has charged the request.
import { LlmTokenUsage, RequestModel, StreamedBodyCapture, UpstreamFirstByteAt, type AuditRecordEnv, type RequestContext, type RequestEnd } from '../../index.js';
import { clientRouteOf } from '../client-api.js';
import { LlmExchangeKey } from '../exchange.js';
import { LlmCacheOutcome } from '../governance/cache-outcome.js';
import { PrincipalAttr } from '../governance/principal.js';
import { GuardrailVerdicts, LlmChargeAttr, RateLimitVerdictAttr } from '../governance/request-verdicts.js';
import { formatUsd } from '../pricing/format.js';

const ms = (v: number): number => Math.round(v * 1000) / 1000;

/** Error codes that mean "refused by a budget" and "refused by a guardrail", whichever filter answered. */
const BUDGET_CODES = new Set(['DGP_ERR_KEYS_BUDGET_EXCEEDED']);
const BLOCKED_CODE = /GUARDRAIL|CONTENT_FILTER/;

export function llmAuditFields(ctx: RequestContext, end: RequestEnd, rec: Record<string, unknown>, env: AuditRecordEnv): void {
  const route = clientRouteOf(ctx);
  const p = ctx.get(PrincipalAttr);
  const lx = ctx.get(LlmExchangeKey);
  if (route.api === 'unknown' && p === undefined && lx === undefined) return;
  if (lx !== undefined && !lx.settled) lx.settle(ctx);
  const usage = lx?.usage();
  const counted = usage === undefined ? ctx.get(LlmTokenUsage) : undefined;
  const cache = ctx.get(LlmCacheOutcome);
  const verdicts = ctx.get(GuardrailVerdicts);
  const rl = ctx.get(RateLimitVerdictAttr);
  const charge = ctx.get(LlmChargeAttr);
  rec.kind = 'llm';
  rec.key_id = p?.key_id ?? null;
  rec.key_alias = p?.alias ?? null;
  rec.team_id = p?.team ?? null;
  rec.user_id = p?.user ?? null;
  rec.end_user = p?.end_user ?? null;
  rec.api = lx?.clientApi ?? (route.api === 'unknown' ? null : route.api);
  rec.operation = lx?.operation ?? route.operation ?? null;
  rec.model_requested = ctx.get(RequestModel) ?? null;
  rec.model = lx?.responseModel ?? lx?.target?.model ?? null;
  rec.provider = lx?.target?.provider ?? null;
  rec.tokens = usage !== undefined
    ? { input: usage.input, output: usage.output, cache_read: usage.cache_read, cache_write: usage.cache_write, reasoning: usage.reasoning, total: usage.total, source: 'upstream' }
    : counted !== undefined
      ? { input: counted.prompt, output: counted.completion, cache_read: counted.cached, cache_write: 0, reasoning: counted.reasoning, total: counted.total, source: counted.source }
      : null;
  rec.cost_usd = charge === undefined ? null : Number(formatUsd(charge.nanos));
  rec.cost_nanos = charge?.nanos ?? null;
  rec.cost_basis = charge?.basis ?? null;
  rec.price_source = charge?.price_source ?? null;
  const latency = rec.latency_ms as { ttft: number | null };
  const first = lx?.firstDataAt ?? ctx.get(UpstreamFirstByteAt);
  if (first !== undefined) latency.ttft = ms(first - ctx.startedAt);
  rec.cache = { status: cache ?? null };
  rec.guardrails = verdicts ?? [];
  rec.ratelimit = rl === undefined ? null : { rule: rl.rule, dimension: rl.dimension };
  rec.outcome = outcomeOf(end, rec.outcome as string, verdicts !== undefined && verdicts.some((v) => v.action === 'block'), rl !== undefined, cache);
  const body = ctx.request.bodyIfRead?.();
  rec.prompt_hash = body === undefined || body.length === 0 ? null : (env.hmac(body) ?? null);
  if (env.bodies === 'all' || (env.bodies === 'per_key' && wantsBodies(ctx))) {
    if (body !== undefined) rec.request_body = capped(body, env.maxBodyBytes);
    const res = ctx.response.body;
    const streamed = ctx.get(StreamedBodyCapture);
    if (Buffer.isBuffer(res)) rec.response_body = capped(res, env.maxBodyBytes);
    else if (streamed !== undefined) rec.response_body = streamed.result();
  }
}

/** audit.bodies per_key: the caller's key has `metadata.audit_bodies: true`. */
export function wantsBodies(ctx: RequestContext): boolean {
  return ctx.get(PrincipalAttr)?.metadata.audit_bodies === true;
}

/** ok | error | blocked | rate_limited | budget_exceeded | cache_hit. */
function outcomeOf(end: RequestEnd, hostOutcome: string, blocked: boolean, limited: boolean, cache: string | undefined): string {
  const code = end.errorCode;
  if (blocked || (code !== undefined && BLOCKED_CODE.test(code))) return 'blocked';
  if (code !== undefined && BUDGET_CODES.has(code)) return 'budget_exceeded';
  if (limited || (end.status === 429 && code?.startsWith('DGP_ERR_RATELIMIT_') === true)) return 'rate_limited';
  if ((cache === 'hit' || cache === 'semantic_hit') && end.status < 400) return 'cache_hit';
  return hostOutcome;
}

function capped(b: Buffer, max: number): { text: string; bytes: number; truncated: boolean } {
  const truncated = b.length > max;
  return { text: (truncated ? b.subarray(0, max) : b).toString('utf8'), bytes: b.length, truncated };
}
