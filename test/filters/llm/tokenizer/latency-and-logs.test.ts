// Time to first token, durations to the end of the stream (Pixiu bug 19 fixed), per-output-token time, upstream
// attempt counters, the access-log fields, and Pixiu's log_to_console lines.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { AccessLogFields, SelectedEndpoint, UpstreamFirstByteAt } from '../../../../core/index.js';
import { createWorkerPool } from '../../../../core/workers/index.js';
import { exchange, histogram, json, metric, rig, sse } from './harness.js';
import { request } from './requests.js';
import { anthropicStream, EXPECTED, MODEL_LABEL, openaiStream, openaiUnary } from './upstream-shapes.js';

const pool = createWorkerPool({ threads: 1, maxQueue: 64 });
t.teardown(() => pool.close());

t.test('TTFT reflects an upstream that waits 300 ms before its first chunk; durations run to the end of the stream', async (t) => {
  const r = await rig(pool, { pixiu_unit_metrics: true });
  const { ctx } = await exchange(r, request('anthropic', true), () => ({ ...sse(anthropicStream()), firstChunkDelayMs: 300 }));
  const labels = { model: MODEL_LABEL.anthropic, cluster: 'llm', endpoint: 'none', stream: 'true' };
  const ttft = await histogram(r.registry, 'dgp_llm_time_to_first_token_seconds', labels);
  t.equal(ttft.count, 1);
  t.ok(ttft.sum >= 0.3 && ttft.sum < 30, `ttft ${ttft.sum}s`);
  t.equal(ttft.buckets.get(0.25), 0, 'not in the 250 ms bucket');
  const dur = await histogram(r.registry, 'dgp_llm_request_duration_seconds', { ...labels, status_code: '200' });
  t.ok(dur.sum >= ttft.sum, 'duration covers the whole stream');
  t.ok((await metric(r.registry, 'pixiu_llm_total_duration_microseconds_sum_total', { cluster_name: 'llm', status_code: '200' })) >= 300_000);
  t.ok((await metric(r.registry, 'pixiu_llm_time_to_last_token_milliseconds_sum_total', { cluster_name: 'llm' })) >= 300);
  t.equal(await metric(r.registry, 'pixiu_llm_streaming_requests_total', { cluster_name: 'llm' }), 1);
  const tpot = await histogram(r.registry, 'dgp_llm_time_per_output_token_seconds', { model: MODEL_LABEL.anthropic });
  t.equal(tpot.count, 1, 'time per output token observed once');
  const log = ctx.get(AccessLogFields)!;
  t.equal(log.model, EXPECTED.anthropic.model);
  t.equal(log.prompt_tokens, 33);
  t.equal(log.completion_tokens, 15);
  t.equal(log.usage_source, 'upstream');
  t.ok((log.ttft_ms as number) >= 300);
  t.ok(typeof log.stream_ms === 'number' && log.stream_ms >= 0);
});

t.test("Pixiu's µs / ms sums are exported only with pixiu_unit_metrics (promtool flags their units)", async (t) => {
  const r = await rig(pool);
  await exchange(r, request('anthropic', true), () => sse(anthropicStream()));
  const text = await r.registry.metrics();
  t.notMatch(text, /pixiu_llm_total_duration_microseconds_sum_total|pixiu_llm_time_to_last_token_milliseconds_sum_total/);
  t.equal(await metric(r.registry, 'pixiu_llm_streaming_requests_total', { cluster_name: 'llm' }), 1, 'the other Pixiu counters stay');
});

t.test('unary TTFT is the upstream first byte the proxy recorded; the endpoint label comes from SelectedEndpoint', async (t) => {
  const r = await rig(pool);
  const { ctx } = await exchange(r, request('openai', false), () => json(openaiUnary()), {
    proxy: (c) => {
      c.set(SelectedEndpoint, { cluster: 'llm', id: 'b', address: 'api.example.com' });
      c.set(UpstreamFirstByteAt, c.startedAt + 50);
    },
  });
  const h = await histogram(r.registry, 'dgp_llm_time_to_first_token_seconds', { endpoint: 'b', stream: 'false' });
  t.equal(h.count, 1);
  t.ok(Math.abs(h.sum - 0.05) < 1e-6, `ttft ${h.sum}s is the recorded first byte`);
  t.equal(ctx.get(AccessLogFields)?.ttft_ms, 50);
  t.equal(ctx.get(AccessLogFields)?.stream_ms, undefined);
  t.equal(await metric(r.registry, 'dgp_llm_tokens_total', { endpoint: 'b', direction: 'prompt' }), 19);
  t.equal(await metric(r.registry, 'pixiu_llm_streaming_requests_total'), 0);
  t.equal(await histogram(r.registry, 'dgp_llm_time_per_output_token_seconds').then((x) => x.count), 0, 'no TPOT for unary');
});

t.test('upstream attempts: Pixiu counters and dgp_llm_upstream_attempts_total', async (t) => {
  const r = await rig(pool);
  await exchange(r, request('openai', false), () => ({
    ...json(openaiUnary()),
    attempts: [
      { endpoint_id: 'a', address: '10.0.0.1:8000', cluster: 'llm', status: 503, success: false, error_type: 'status_code_error', duration_ms: 3 },
      { endpoint_id: 'a', address: '10.0.0.1:8000', cluster: 'llm', status: 0, success: false, error_type: 'network_error', duration_ms: 1 },
      { endpoint_id: 'b', address: 'api.example.com', cluster: 'llm', status: 200, success: true, error_type: '', duration_ms: 9 },
    ],
  }));
  const a = { cluster_name: 'llm', endpoint_id: 'a', endpoint_address: '10.0.0.1:8000' };
  t.equal(await metric(r.registry, 'pixiu_llm_upstream_requests_total', a), 2);
  t.equal(await metric(r.registry, 'pixiu_llm_upstream_requests_total', { endpoint_id: 'b' }), 1);
  t.equal(await metric(r.registry, 'pixiu_llm_upstream_requests_failure_total', { ...a, status_code: '503', error_type: 'status_code_error' }), 1);
  t.equal(await metric(r.registry, 'pixiu_llm_upstream_requests_failure_total', { ...a, status_code: '0', error_type: 'network_error' }), 1);
  t.equal(await metric(r.registry, 'pixiu_llm_upstream_requests_success_total', { endpoint_id: 'b', endpoint_address: 'api.example.com', status_code: '200' }), 1);
  t.equal(await metric(r.registry, 'pixiu_llm_upstream_requests_success_total', { endpoint_id: 'a' }), 0);
  t.equal(await metric(r.registry, 'dgp_llm_upstream_attempts_total', { endpoint: 'a', outcome: 'status_code_error' }), 1);
  t.equal(await metric(r.registry, 'dgp_llm_upstream_attempts_total', { endpoint: 'a', outcome: 'network_error' }), 1);
  t.equal(await metric(r.registry, 'dgp_llm_upstream_attempts_total', { endpoint: 'b', outcome: 'success' }), 1);
});

t.test('log_to_console prints Pixiu usage lines, once per request', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
      cb();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const on = await rig(pool, { log_to_console: true });
  await exchange(on, request('openai', true), (up) => sse(openaiStream({ includeUsage: (up.stream_options as { include_usage?: boolean })?.include_usage === true })), { log });
  t.same(lines, [
    '[Tokenizer] [DOWNSTREAM] Usage | prompt_tokens: 19',
    '[Tokenizer] [DOWNSTREAM] Usage | completion_tokens: 10',
    '[Tokenizer] [DOWNSTREAM] Usage | total_tokens: 29',
    '[Tokenizer] [DOWNSTREAM] Usage | prompt_tokens_details.cached_tokens: 4',
    '[Tokenizer] [DOWNSTREAM] Usage | completion_tokens_details.reasoning_tokens: 2',
  ]);
  lines.length = 0;
  await exchange(on, request('anthropic', true), () => sse(anthropicStream()), { log });
  t.same(lines, [
    '[Tokenizer] [DOWNSTREAM] Usage | input_tokens: 25',
    '[Tokenizer] [DOWNSTREAM] Usage | cache_creation_input_tokens: 3',
    '[Tokenizer] [DOWNSTREAM] Usage | cache_read_input_tokens: 5',
    '[Tokenizer] [DOWNSTREAM] Usage | output_tokens: 15',
  ], 'Anthropic usage merged: the final output_tokens, once');
  lines.length = 0;
  const off = await rig(pool);
  await exchange(off, request('anthropic', true), () => sse(anthropicStream()), { log });
  t.same(lines, [], 'silent by default');
});
