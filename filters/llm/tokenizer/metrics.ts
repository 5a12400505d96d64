// The tokenizer's metric handles: Pixiu's nine pixiu_llm_* counters with their exact names and labels (spec §3.3.4,
// so Pixiu Grafana dashboards keep working) and our dgp_llm_* counters and histograms. Get-or-create: reloads share them.
import type { MetricsApi } from '../../../core/index.js';

export type TokenizerMetrics = ReturnType<typeof createTokenizerMetrics>;

/**
 * `pixiuUnitMetrics`: also export Pixiu's two sums in non-base units (µs, ms), which `promtool check metrics` flags;
 * off by default, on for a Pixiu dashboard that reads them (the dgp_llm_* histograms carry the same, in seconds).
 */
export function createTokenizerMetrics(m: MetricsApi, pixiuUnitMetrics = false) {
  return {
    pixiuPromptTokens: m.counter({ name: 'pixiu_llm_prompt_tokens_total', help: 'Prompt tokens (Pixiu compatible).', labelNames: ['model', 'cluster_name'] }),
    pixiuCompletionTokens: m.counter({ name: 'pixiu_llm_completion_tokens_total', help: 'Completion tokens (Pixiu compatible).', labelNames: ['model', 'cluster_name'] }),
    pixiuTotalTokens: m.counter({ name: 'pixiu_llm_total_tokens_total', help: 'Total tokens (Pixiu compatible).', labelNames: ['model', 'cluster_name'] }),
    pixiuUpstreamRequests: m.counter({
      name: 'pixiu_llm_upstream_requests_total',
      help: 'Upstream attempts, retries and fallbacks included (Pixiu compatible).',
      labelNames: ['cluster_name', 'endpoint_id', 'endpoint_address'],
    }),
    pixiuUpstreamSuccess: m.counter({
      name: 'pixiu_llm_upstream_requests_success_total',
      help: 'Successful upstream attempts (Pixiu compatible).',
      labelNames: ['cluster_name', 'endpoint_id', 'endpoint_address', 'status_code'],
    }),
    pixiuUpstreamFailure: m.counter({
      name: 'pixiu_llm_upstream_requests_failure_total',
      help: 'Failed upstream attempts; status_code "0" when no response arrived (Pixiu compatible).',
      labelNames: ['cluster_name', 'endpoint_id', 'endpoint_address', 'status_code', 'error_type'],
    }),
    pixiuTotalDurationUs: !pixiuUnitMetrics ? undefined : m.counter({
      name: 'pixiu_llm_total_duration_microseconds_sum_total',
      help: 'Sum of request durations in microseconds, from request arrival to the end of the response body (Pixiu compatible).',
      labelNames: ['cluster_name', 'status_code'],
    }),
    pixiuTimeToLastTokenMs: !pixiuUnitMetrics ? undefined : m.counter({
      name: 'pixiu_llm_time_to_last_token_milliseconds_sum_total',
      help: 'Sum over streamed responses of the time from request arrival to the end of the stream, in ms (Pixiu compatible).',
      labelNames: ['cluster_name'],
    }),
    pixiuStreamingRequests: m.counter({ name: 'pixiu_llm_streaming_requests_total', help: 'Streamed (SSE) responses (Pixiu compatible).', labelNames: ['cluster_name'] }),
    tokens: m.counter({
      name: 'dgp_llm_tokens_total',
      help: 'LLM tokens by direction (prompt, completion, cached, reasoning) and source (upstream usage or estimated locally).',
      labelNames: ['direction', 'model', 'cluster', 'endpoint', 'source'],
    }),
    ttft: m.histogram({
      name: 'dgp_llm_time_to_first_token_seconds',
      help: 'Request arrival to the first SSE data event (streams) or the upstream response (unary).',
      labelNames: ['model', 'cluster', 'endpoint', 'stream'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
    }),
    tpot: m.histogram({
      name: 'dgp_llm_time_per_output_token_seconds',
      help: 'Streams: (end of stream - first token) / (completion tokens - 1).',
      labelNames: ['model', 'cluster', 'endpoint'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28],
    }),
    duration: m.histogram({
      name: 'dgp_llm_request_duration_seconds',
      help: 'Request arrival to the end of the response body (the end of the stream for SSE).',
      labelNames: ['model', 'cluster', 'endpoint', 'status_code', 'stream'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320, 640],
    }),
    upstreamAttempts: m.counter({
      name: 'dgp_llm_upstream_attempts_total',
      help: 'Upstream attempts by endpoint id and outcome (success, or the error type: status_code_error, network_error, timeout...).',
      labelNames: ['endpoint', 'outcome'],
    }),
  };
}
