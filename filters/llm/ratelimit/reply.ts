// The refusal: always a 429 in the client's API shape (OpenAI: type requests|tokens, code rate_limit_exceeded;
// Anthropic: rate_limit_error; Gemini: RESOURCE_EXHAUSTED with a RetryInfo), with retry-after and retry-after-ms from
// the limiter, which the OpenAI and Anthropic SDKs wait before their retry, and the binding rule's headers. A request
// that can never fit gets x-should-retry: false instead, so SDKs do not retry it at all.
import type { RequestContext, Stop } from '../../../core/index.js';
import { RateLimitVerdictAttr } from '../../../core/llm/index.js';
import { concurrencyLimited, requestsLimited, requestTooLarge, tokensLimited } from './errors.js';
import { limitHeaders, type CellState } from './headers.js';
import type { Admission } from './limiter.js';

type Refusal = Extract<Admission, { reason: 'limit' }>;

const PER: Record<string, string> = { second: 'per second', minute: 'per minute', hour: 'per hour', day: 'per day' };

function messageOf(r: Refusal, never: boolean): string {
  const c = r.cell;
  const rule = `rule ${c.rule.id} (scope ${c.rule.scope === 'header' ? `header:${c.rule.header}` : c.rule.scope})`;
  if (c.dimension === 'concurrency') return `Concurrency limit reached for ${rule}: ${r.inUse} requests in flight, limit ${r.limit}.`;
  const per = PER[c.spec!.period]!;
  if (never) return `Request too large for ${rule}: it needs ${r.cost} ${c.dimension}, more than the whole limit of ${r.limit} ${per}.`;
  const wait = `Please try again in ${(r.retryAfterMs / 1000).toFixed(r.retryAfterMs < 10_000 ? 3 : 0).replace(/\.?0+$/, '')}s.`;
  if (c.dimension === 'tokens') return `Rate limit reached for tokens, ${rule}: limit ${r.limit} ${per}, requested ${r.cost}. ${wait}`;
  return `Rate limit reached for requests, ${rule}: limit ${r.limit} ${per}. ${wait}`;
}

/** Answers the refusal; `cells` are the request's rate cells with the states the store reported. */
export function refuse(ctx: RequestContext, r: Refusal, cells: readonly CellState[], api: string, opts: { headers: boolean; concurrencyRetryMs: number }): typeof Stop {
  const never = r.retryAfterMs < 0;
  const retryMs = r.cell.dimension === 'concurrency' ? opts.concurrencyRetryMs : Math.max(0, r.retryAfterMs);
  const type = r.cell.dimension === 'tokens' ? 'tokens' : 'requests';
  const details: Record<string, unknown> = { openai_type: type, openai_code: 'rate_limit_exceeded', rule: r.cell.rule.id, dimension: r.cell.dimension, limit: r.limit };
  if (!never) details.retry_after = String(Math.max(1, Math.ceil(retryMs / 1000)));
  const factory = never ? requestTooLarge : r.cell.dimension === 'concurrency' ? concurrencyLimited : r.cell.dimension === 'tokens' ? tokensLimited : requestsLimited;
  const stop = ctx.replyError(factory(messageOf(r, never), { details }));
  ctx.set(RateLimitVerdictAttr, { rule: r.cell.rule.id, dimension: r.cell.dimension });
  const h = ctx.response.headers;
  if (never) h['x-should-retry'] = 'false';
  else h['retry-after-ms'] = String(retryMs);
  if (opts.headers) Object.assign(h, limitHeaders(api, cells, r.divisor, Date.now(), r.cell));
  return stop;
}
