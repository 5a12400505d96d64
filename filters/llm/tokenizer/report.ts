// The end of one request: final usage (upstream, else estimated in the worker pool), every metric exactly once, the
// LlmTokenUsage and access-log attributes, and Pixiu's log_to_console lines.
import {
  addAccessLogFields,
  LlmTokenUsage,
  SelectedEndpoint,
  UpstreamAttempts,
  type RequestContext,
  type TokenUsage,
  type WorkerPoolApi,
} from '../../../core/index.js';
import { estimatePromptTokens, type EncodingChoice } from './estimate.js';
import type { TokenizerCounters } from './counters.js';
import type { ModelLabels } from './model-label.js';
import type { TokenizerMetrics } from './metrics.js';
import type { ResolvedTokenizerConfig } from './schema.js';
import type { TokenizerState } from './state.js';
import { isObj, type UsageNumbers } from './usage.js';

/** What finishing needs from the filter instance (one object per filter, not per request). */
export interface FinishDeps {
  metrics: TokenizerMetrics;
  counters: TokenizerCounters;
  cfg: ResolvedTokenizerConfig;
  pool: WorkerPoolApi;
  /** The tokenizer for local estimates; only asked when the upstream reported no usage. */
  encodingFor(model: string | undefined): EncodingChoice;
  /** The bounded `model` label of the metrics. */
  labels: ModelLabels;
}

/** `written`: the LLM exchange already set LlmTokenUsage from these numbers (it is written once). */
type FinalUsage = { numbers: UsageNumbers; source: 'upstream' | 'estimated'; written?: boolean } | undefined;

/**
 * Reports the request. `endAt`: performance.now() at the end of the response body (end of stream), or of the request.
 * Synchronous when the upstream reported usage (the usual case); a local estimate goes through the worker pool.
 */
export function finishRequest(ctx: RequestContext, st: TokenizerState, d: FinishDeps, endAt: number): void | Promise<void> {
  const settled = st.exchange?.settle(ctx);
  if (settled !== undefined) {
    const numbers = { prompt: settled.input, completion: settled.output, total: settled.total, cached: settled.cache_read, reasoning: settled.reasoning };
    return report(ctx, st, d, endAt, { numbers, source: 'upstream', written: true });
  }
  const found = st.tracker.result();
  if (found !== undefined || !d.cfg.estimateMissingUsage) return report(ctx, st, d, endAt, found && { numbers: found, source: 'upstream' });
  return estimatedUsage(ctx, st, d).then((usage) => report(ctx, st, d, endAt, usage));
}

function report(ctx: RequestContext, st: TokenizerState, d: FinishDeps, endAt: number, usage: FinalUsage): void {
  const cluster = ctx.route.cluster || 'unknown';
  const endpoint = ctx.get(SelectedEndpoint)?.id ?? 'none';
  const status = String(ctx.response.status);
  reportAttempts(ctx, d.counters, cluster);
  const model = st.responseModel ?? st.facts.model ?? 'unknown';
  const durationMs = Math.max(0, endAt - ctx.startedAt);
  const stream = st.sse ? 'true' : 'false';
  const label = d.labels.label(cluster, endpoint, st.exchange?.target?.provider, [st.responseModel, st.facts.model]);
  const cells = d.counters.request(cluster, endpoint, label, status, usage?.source ?? '', stream);
  cells.totalDurationUs.add(durationMs * 1000);
  cells.duration.observe(durationMs / 1000);
  if (st.sse) {
    cells.streamingRequests.add(1);
    cells.timeToLastTokenMs.add(durationMs);
  }
  const ttftMs = st.firstDataAt === undefined ? undefined : Math.max(0, st.firstDataAt - ctx.startedAt);
  if (ttftMs !== undefined) cells.ttft.observe(ttftMs / 1000);
  if (usage && st.sse && st.firstDataAt !== undefined && usage.numbers.completion > 1) {
    cells.tpot.observe(Math.max(0, endAt - st.firstDataAt) / 1000 / (usage.numbers.completion - 1));
  }

  if (usage) {
    const u = usage.numbers;
    cells.promptTokens.add(u.prompt);
    cells.completionTokens.add(u.completion);
    cells.totalTokens.add(u.total);
    cells.tokens.prompt.add(u.prompt);
    cells.tokens.completion.add(u.completion);
    cells.tokens.cached.add(u.cached);
    cells.tokens.reasoning.add(u.reasoning);
    if (usage.written !== true) {
      const tu: TokenUsage = { model, prompt: u.prompt, completion: u.completion, total: u.total, cached: u.cached, reasoning: u.reasoning, source: usage.source };
      ctx.set(LlmTokenUsage, tu);
    }
    if (d.cfg.logToConsole) logUsageLines(ctx, usage.source === 'estimated' ? estimatedForLog(u) : (usage.written ? st.exchange?.rawUsage() : undefined) ?? st.tracker.rawForLog());
  }
  const fields = {
    model,
    prompt_tokens: usage?.numbers.prompt,
    completion_tokens: usage?.numbers.completion,
    usage_source: usage?.source,
    ttft_ms: ttftMs === undefined ? undefined : Math.round(ttftMs),
    stream_ms: st.sse && st.encodeAt !== undefined ? Math.round(Math.max(0, endAt - st.encodeAt)) : undefined,
  };
  addAccessLogFields(ctx, fields);
}

/** No usage from the upstream: a local count in the worker pool, when the exchange consumed anything. */
async function estimatedUsage(ctx: RequestContext, st: TokenizerState, d: FinishDeps): Promise<FinalUsage> {
  const sawText = st.counter?.sawText ?? false;
  const ok = ctx.response.status >= 200 && ctx.response.status < 300 && !ctx.replied;
  // An error answer consumed nothing, unless the model had already streamed text before it failed.
  if (!ok && !sawText) return undefined;
  try {
    const [prompt, completion] = await Promise.all([
      st.facts.body ? estimatePromptTokens(d.pool, st.facts.body, d.encodingFor(st.responseModel ?? st.facts.model)) : Promise.resolve(undefined),
      st.counter && sawText ? st.counter.total() : Promise.resolve(0),
    ]);
    if (prompt === undefined && !sawText) return undefined; // not an LLM exchange: nothing to count
    const p = prompt ?? 0;
    return { numbers: { prompt: p, completion, total: p + completion, cached: 0, reasoning: 0 }, source: 'estimated' };
  } catch (err) {
    ctx.log.warn({ err }, 'tokenizer: could not estimate token usage locally; no tokens recorded for this request');
    return undefined;
  }
}

function reportAttempts(ctx: RequestContext, counters: TokenizerCounters, routeCluster: string): void {
  for (const a of ctx.get(UpstreamAttempts) ?? []) {
    const cells = counters.attempt({
      cluster: a.cluster || routeCluster,
      endpoint: a.endpoint_id,
      address: a.address,
      status: String(a.success ? a.status : a.status || 0),
      success: a.success,
      errorType: a.error_type,
    });
    cells.requests.add(1);
    cells.outcome.add(1);
    cells.attempts.add(1);
  }
}

/** Pixiu's format, one line per usage field; nested detail objects one line per sub-field. */
function logUsageLines(ctx: RequestContext, usage: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(usage)) {
    if (isObj(v)) for (const [sk, sv] of Object.entries(v)) ctx.log.info(`[Tokenizer] [DOWNSTREAM] Usage | ${k}.${sk}: ${String(sv)}`);
    else ctx.log.info(`[Tokenizer] [DOWNSTREAM] Usage | ${k}: ${String(v)}`);
  }
}

function estimatedForLog(u: UsageNumbers): Record<string, unknown> {
  return { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.total, source: 'estimated' };
}
