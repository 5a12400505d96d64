// Request limits through the real host with the official SDKs: 100 concurrent requests against 20 per minute admit
// exactly 20; every refusal is a 429 in the client's API shape with retry-after, retry-after-ms and the binding
// rule's headers; the openai client waits retry-after-ms and succeeds on its retry; the Anthropic client raises
// RateLimitError and reads anthropic-ratelimit-* on answers and refusals; Gemini gets RESOURCE_EXHAUSTED.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import t from 'tap';
import { startMockAnthropic, startMockGemini, startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { chat, metric, post, rlGatewayYaml } from './helpers.js';

const reply = { text: 'hello', usage: { input: 5, output: 2 } };

t.test('100 concurrent requests against 20 per minute: exactly 20 admitted, 80 refused in OpenAI\'s shape', async (t) => {
  const up = await startMockOpenAi({ reply });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: '                    rules:\n                      - {scope: route, requests: {per_minute: 20}}' }));
  t.teardown(async () => (await g.close(), await up.close()));
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: 100 }, () => post(`${g.url()}/v1/chat/completions`, chat())));
  // 20/min drains one request every 3 s: a burst slower than that (a loaded machine) may admit one more per 3 s.
  const drained = Math.floor((Date.now() - started) / 3000);
  const ok = answers.filter((r) => r.status === 200);
  const refused = answers.filter((r) => r.status === 429);
  t.equal(ok.length, 20 + drained, `exactly 20 admitted (+${drained} drained during the burst)`);
  t.equal(refused.length, 80 - drained, 'the others are 429, never 503');
  t.equal(up.requests.length, ok.length, 'only the admitted reached the upstream');
  const r = refused[0]!;
  const body = (await r.json()) as { error: Record<string, unknown> };
  t.match(body.error, { type: 'requests', code: 'rate_limit_exceeded', dgp_code: 'DGP_ERR_RATELIMIT_REQUESTS', param: null });
  t.match(body.error.message, /Rate limit reached for requests, rule route \(scope route\): limit 20 per minute\. Please try again in \d/);
  const retryMs = Number(r.headers.get('retry-after-ms'));
  t.ok(retryMs > 0 && retryMs <= 3000, `retry-after-ms is the wait for one request at 20/min: ${retryMs}`);
  t.equal(r.headers.get('retry-after'), String(Math.ceil(retryMs / 1000)));
  t.equal(r.headers.get('x-ratelimit-limit-requests'), '20');
  t.equal(r.headers.get('x-ratelimit-remaining-requests'), '0');
  t.match(r.headers.get('x-ratelimit-reset-requests'), /^(59|60|[0-9.]+)s$|^\d+m\d/);
  const first = ok[0]!;
  t.equal(first.headers.get('x-ratelimit-limit-requests'), '20', 'an admitted answer describes the rule too');
  t.ok(Number(first.headers.get('x-ratelimit-remaining-requests')) <= 19);
  await Promise.all(answers.filter((a) => !a.bodyUsed).map((a) => a.body?.cancel()));
  t.equal(await metric(g.adminUrl, 'dgp_ratelimit_requests_total', { outcome: 'admitted' }), ok.length);
  t.equal(await metric(g.adminUrl, 'dgp_ratelimit_limited_total', { rule: 'route', dimension: 'requests' }), refused.length);
});

t.test('the openai client waits retry-after-ms and succeeds on its retry', async (t) => {
  const up = await startMockOpenAi({ reply });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: '                    rules:\n                      - {scope: ip, requests: {per_minute: 20}}' }));
  t.teardown(async () => (await g.close(), await up.close()));
  // Every attempt the SDK makes, with when it was sent and what the gateway said.
  const attempts: Array<{ at: number; status: number; retryMs: number }> = [];
  const recording: typeof fetch = async (input, init) => {
    const at = Date.now();
    const r = await fetch(input, init);
    attempts.push({ at, status: r.status, retryMs: Number(r.headers.get('retry-after-ms')) });
    return r;
  };
  const client = new OpenAI({ apiKey: 'client', baseURL: `${g.url()}/v1`, maxRetries: 2, fetch: recording });
  // Use up the 20 until the gateway refuses; the SDK's request follows at once.
  let admitted = 0;
  for (let status = 200; status === 200; ) {
    const r = await post(`${g.url()}/v1/chat/completions`, chat());
    await r.text();
    status = r.status;
    if (status === 200) admitted++;
  }
  const done = await client.chat.completions.create(chat());
  t.equal(done.choices[0]?.message.content, 'hello', 'the retry succeeded');
  const refusal = attempts.find((a) => a.status === 429);
  if (refusal === undefined) return t.fail(`the first attempt was not refused: ${JSON.stringify(attempts)}`);
  t.ok(refusal.retryMs > 0 && refusal.retryMs <= 3000, `retry-after-ms is the wait for one request at 20/min: ${refusal.retryMs}`);
  const retry = attempts[attempts.indexOf(refusal) + 1]!;
  t.equal(retry.status, 200);
  const waited = retry.at - refusal.at;
  t.ok(waited >= refusal.retryMs - 20 && waited < refusal.retryMs + 1000, `the SDK waited the limiter's retry-after-ms (${refusal.retryMs}), not its own backoff: ${waited} ms`);
  t.equal(up.requests.length, admitted + 1, 'refused attempts never reached the upstream');
  const noRetry = new OpenAI({ apiKey: 'client', baseURL: `${g.url()}/v1`, maxRetries: 0 });
  const err = await noRetry.chat.completions.create(chat()).catch((e: unknown) => e);
  t.ok(err instanceof OpenAI.RateLimitError, 'RateLimitError');
  t.equal((err as InstanceType<typeof OpenAI.APIError>).code, 'rate_limit_exceeded');
  t.equal((err as InstanceType<typeof OpenAI.APIError>).type, 'requests');
});

t.test('Anthropic: RateLimitError with rate_limit_error, anthropic-ratelimit-* on answers and refusals', async (t) => {
  const up = await startMockAnthropic({ reply });
  const rules = '                    rules:\n                      - {scope: route, requests: {per_minute: 3}, tokens: {per_minute: 100000, count: input}}';
  const g = await startGateway(rlGatewayYaml({ provider: 'anthropic', port: up.port, ratelimit: rules }));
  t.teardown(async () => (await g.close(), await up.close()));
  const client = new Anthropic({ apiKey: 'client', baseURL: g.url(), maxRetries: 0 });
  const msg = { model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi' }] };
  const { response } = await client.messages.create(msg).withResponse();
  t.equal(response.headers.get('anthropic-ratelimit-requests-limit'), '3');
  t.equal(response.headers.get('anthropic-ratelimit-requests-remaining'), '2');
  t.match(response.headers.get('anthropic-ratelimit-requests-reset'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'RFC 3339');
  t.equal(response.headers.get('anthropic-ratelimit-input-tokens-limit'), '100000', 'count: input is the input-tokens family');
  t.equal(response.headers.get('x-ratelimit-limit-requests'), null, "OpenAI's family is not on /v1/messages");
  await client.messages.create(msg);
  await client.messages.create(msg);
  const err = await client.messages.create(msg).catch((e: unknown) => e);
  t.ok(err instanceof Anthropic.RateLimitError, 'RateLimitError');
  const e = err as InstanceType<typeof Anthropic.APIError>;
  t.equal(e.status, 429);
  t.match(e.error, { type: 'error', error: { type: 'rate_limit_error', code: 'DGP_ERR_RATELIMIT_REQUESTS' } });
  t.equal(e.headers?.get('anthropic-ratelimit-requests-remaining'), '0');
  t.ok(Number(e.headers?.get('retry-after-ms')) > 15_000, 'retry-after-ms: 20 s for one request at 3/min');
  t.equal(up.requests.length, 3);
});

t.test('Gemini: RESOURCE_EXHAUSTED with a RetryInfo; no OpenAI or Anthropic headers', async (t) => {
  const up = await startMockGemini({ reply });
  const g = await startGateway(rlGatewayYaml({ provider: 'gemini', port: up.port, ratelimit: '                    rules:\n                      - {scope: model, requests: {per_hour: 1}}' }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1beta/models/gemini-2.0-flash:generateContent`;
  const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
  t.equal((await post(url, body, { 'x-goog-api-key': 'client' })).status, 200);
  const r = await post(url, body, { 'x-goog-api-key': 'client' });
  t.equal(r.status, 429);
  const e = ((await r.json()) as { error: { code: number; status: string; details: Array<Record<string, unknown>> } }).error;
  t.match(e, { code: 429, status: 'RESOURCE_EXHAUSTED' });
  t.match(e.details[0], { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: /^\d+s$/ });
  t.equal(r.headers.get('x-ratelimit-limit-requests'), null);
  t.ok(Number(r.headers.get('retry-after')) > 3000, 'one request per hour: an hour to wait');
  const other = await post(`${g.url()}/v1beta/models/gemini-2.5-pro:generateContent`, body, { 'x-goog-api-key': 'client' });
  t.equal(other.status, 200, 'scope model: each model has its own counter');
});
