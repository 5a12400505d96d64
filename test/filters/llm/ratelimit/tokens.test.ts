// Token limits through the real host: 10 concurrent streams against 1,000 tokens per minute admit only what the
// reservations (prompt estimate + max_tokens) fit, and the charge reconciled at each stream's end equals the usage the
// upstream reported; an aborted stream is charged what was produced; an upstream error and a refused request charge
// nothing; a request larger than the whole limit is told not to retry.
import OpenAI from 'openai';
import t from 'tap';
import { startGateway } from '../../../helpers/gateway.js';
import { chat, metric, post, rlGatewayYaml, startPacedOpenAi } from './helpers.js';

const TPM = '                    rules:\n                      - {id: tpm, scope: route, tokens: {per_minute: 1000}}';
// The prompt estimate of chat(): ceil(("user" + "hello there") bytes / 4) + 3 per message + 3 = 10 tokens.
const PROMPT_ESTIMATE = 10;

t.test('10 concurrent streams against 1,000 TPM: 4 fit their reservations; the reconciled charge is the upstream usage', async (t) => {
  // Streams long enough (20 × 100 ms) that every admission happens while the admitted ones still hold their reservation.
  const up = await startPacedOpenAi({ events: 20, intervalMs: 100, usage: { input: 12, output: 30 } });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: TPM }));
  t.teardown(async () => (await g.close(), await up.close()));
  const client = new OpenAI({ apiKey: 'client', baseURL: `${g.url()}/v1`, maxRetries: 0 });
  const started = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, async () => {
      try {
        const stream = await client.chat.completions.create({ ...chat(), stream: true, stream_options: { include_usage: true }, max_tokens: 200 });
        let usage: unknown;
        for await (const c of stream) usage = c.usage ?? usage;
        return usage === undefined ? 'no usage' : 'ok';
      } catch (err) {
        return err instanceof OpenAI.RateLimitError ? `429 ${err.type}` : String(err);
      }
    }),
  );
  // Each reserves 10 + 200 = 210 tokens: 4 × 210 = 840 fit in 1,000, a fifth does not.
  t.same(outcomes.filter((o) => o === 'ok').length, 4, `admitted: ${outcomes.join(', ')}`);
  t.same(outcomes.filter((o) => o === '429 tokens').length, 6, 'refused with type tokens');
  t.equal(up.count, 4);
  t.equal(await metric(g.adminUrl, 'dgp_ratelimit_tokens_total', { rule: 'tpm', phase: 'reserved' }), 4 * (PROMPT_ESTIMATE + 200));
  t.equal(await metric(g.adminUrl, 'dgp_ratelimit_tokens_total', { rule: 'tpm', phase: 'charged' }), 4 * 42, 'charged = 4 × (12 + 30), the upstream usage');
  // What the store holds now: a cost-11 request sees 1,000 - 168 charged - 11, plus what drained meanwhile (1,000/min).
  const probe = await post(`${g.url()}/v1/chat/completions`, chat({ max_tokens: 1 }));
  const drained = Math.ceil((Date.now() - started) / 60) + 1;
  const remaining = Number(probe.headers.get('x-ratelimit-remaining-tokens'));
  t.ok(remaining >= 1000 - 168 - 11 && remaining <= 1000 - 168 - 11 + drained, `the store holds the reconciled usage: ${remaining} remaining (drained at most ${drained})`);
  t.equal(probe.headers.get('x-ratelimit-limit-tokens'), '1000');
  await probe.body?.cancel();
});

t.test('the body parsed before the limiter (tokenizer first, admission without a promise): 20 concurrent streams, still exactly 4 fit', async (t) => {
  const up = await startPacedOpenAi({ events: 20, intervalMs: 100, usage: { input: 12, output: 30 } });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: TPM, tokenizerFirst: true }));
  t.teardown(async () => (await g.close(), await up.close()));
  const answers = await Promise.all(Array.from({ length: 20 }, () => post(`${g.url()}/v1/chat/completions`, chat({ stream: true, stream_options: { include_usage: true }, max_tokens: 200 }))));
  const statuses = answers.map((r) => r.status);
  await Promise.all(answers.map((r) => r.text()));
  // Each reserves 10 + 200 = 210 tokens: 4 × 210 = 840 fit in 1,000, a fifth does not, however the admissions interleave.
  t.equal(statuses.filter((s) => s === 200).length, 4, `admitted: ${statuses.join(', ')}`);
  t.equal(statuses.filter((s) => s === 429).length, 16, 'the others are 429');
  t.equal(up.count, 4);
  t.equal(await metric(g.adminUrl, 'dgp_ratelimit_tokens_total', { rule: 'tpm', phase: 'reserved' }), 4 * (PROMPT_ESTIMATE + 200), 'the same estimate as when the limiter parses the body');
  t.equal(await metric(g.adminUrl, 'dgp_ratelimit_tokens_total', { rule: 'tpm', phase: 'charged' }), 4 * 42, 'charged the upstream usage');
});

t.test('an aborted stream is charged the prompt and the text that went out; an upstream error charges nothing', async (t) => {
  const up = await startPacedOpenAi({ events: 40, intervalMs: 25, usage: { input: 12, output: 40 } });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: TPM }));
  t.teardown(async () => (await g.close(), await up.close()));
  // No include_usage: the upstream never reports usage, as an aborted stream never would.
  const r = await post(`${g.url()}/v1/chat/completions`, chat({ stream: true, max_tokens: 500 }), {});
  const reader = r.body!.getReader();
  let text = '';
  while ((text.match(/word /g) ?? []).length < 3) {
    const { value, done } = await reader.read();
    if (done) return t.fail(`the stream ended early: ${text}`);
    text += Buffer.from(value).toString();
  }
  await reader.cancel();
  const charged = async () => metric(g.adminUrl, 'dgp_ratelimit_tokens_total', { rule: 'tpm', phase: 'charged' });
  for (let i = 0; i < 100 && (await charged()) === 0; i++) await new Promise((res) => setTimeout(res, 20));
  const c = await charged();
  // "word " is 5 bytes: 3 to 40 of them went out, 4 bytes a token.
  t.ok(c >= PROMPT_ESTIMATE + 4 && c <= PROMPT_ESTIMATE + 50, `charged the prompt and what was produced: ${c}`);
  t.ok(c < PROMPT_ESTIMATE + 500, 'not the reservation');
  up.failWith = 500;
  const failed = await post(`${g.url()}/v1/chat/completions`, chat({ max_tokens: 100 }));
  t.equal(failed.status, 500);
  await failed.body?.cancel();
  await new Promise((res) => setTimeout(res, 50));
  t.equal(await charged(), c, 'the upstream error charged nothing');
});

t.test('a request larger than the whole limit: 429 tokens with x-should-retry: false, never forwarded', async (t) => {
  const up = await startPacedOpenAi({ events: 1, intervalMs: 1, usage: { input: 1, output: 1 } });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: TPM }));
  t.teardown(async () => (await g.close(), await up.close()));
  const client = new OpenAI({ apiKey: 'client', baseURL: `${g.url()}/v1`, maxRetries: 2 });
  const err = await client.chat.completions.create({ ...chat(), max_tokens: 5000 }).catch((e: unknown) => e);
  t.ok(err instanceof OpenAI.RateLimitError);
  const e = err as InstanceType<typeof OpenAI.APIError>;
  t.equal(e.headers?.get('x-should-retry'), 'false');
  t.equal(e.headers?.get('retry-after'), null);
  t.match(e.message, /Request too large for rule tpm \(scope route\): it needs 5010 tokens, more than the whole limit of 1000 per minute/);
  t.match(e.error, { type: 'tokens', code: 'rate_limit_exceeded', dgp_code: 'DGP_ERR_RATELIMIT_TOO_LARGE' });
  t.equal(up.count, 0);
  t.equal(await metric(g.adminUrl, 'dgp_ratelimit_requests_total', { outcome: 'limited' }), 1, 'the SDK did not retry it');
});

t.test('an Anthropic stream is charged its reported usage at the end, weighted per token kind', async (t) => {
  const { startMockAnthropic } = await import('../../../helpers/mock-providers/index.js');
  const { default: Anthropic } = await import('@anthropic-ai/sdk');
  const up = await startMockAnthropic({ reply: { text: 'hello there', usage: { input: 40, output: 9 } } });
  const rules = '                    rules:\n                      - {id: weighted, scope: route, tokens: {per_minute: 100000, count: {input: 1, output: 4}}}';
  const g = await startGateway(rlGatewayYaml({ provider: 'anthropic', port: up.port, ratelimit: rules }));
  t.teardown(async () => (await g.close(), await up.close()));
  const client = new Anthropic({ apiKey: 'client', baseURL: g.url(), maxRetries: 0 });
  const stream = client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 300, messages: [{ role: 'user', content: 'hi' }] });
  const final = await stream.finalMessage();
  t.equal(final.usage.output_tokens, 9);
  const charged = async () => metric(g.adminUrl, 'dgp_ratelimit_tokens_total', { rule: 'weighted', phase: 'charged' });
  for (let i = 0; i < 50 && (await charged()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(await charged(), 40 + 4 * 9, 'input + 4 × output, from the usage the stream reported');
  t.ok((await metric(g.adminUrl, 'dgp_ratelimit_tokens_total', { rule: 'weighted', phase: 'reserved' })) >= 4 * 300, 'the reservation held 4 × max_tokens for the output');
});
