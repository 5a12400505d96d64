// Budgets that block, through the real host with the official SDKs: an exhausted budget is a 429 each SDK raises as
// its RateLimitError and does not retry (x-should-retry: false); 50 concurrent requests against a budget that fits 10
// admit 10, and the ledger and the counters record exactly the upstream usages priced by the book.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import t from 'tap';
import { startMockAnthropic, startMockOpenAi } from '../../../../helpers/mock-providers/index.js';
import { accessLines, adminGet, holdOf, ledgerRow, priceOf, startSpendGateway, usage, usdOf, waitFor } from './helpers.js';

const VK = 'sk-dgp-budget-test-key';
const chat = { model: 'gpt-4o-mini', max_tokens: 1000, messages: [{ role: 'user' as const, content: 'hi' }] };

t.test('over budget: OpenAI SDK RateLimitError (insufficient_quota), Anthropic SDK RateLimitError, neither retries', async (t) => {
  const keys = `                    keys:
                      - {key: ${VK}, alias: tiny, max_budget_usd: 0.000001, budget_duration: 1d}
`;
  const oa = await startMockOpenAi({ reply: { text: 'hello' } });
  const g = await startSpendGateway({ keys, provider: 'openai', port: oa.port });
  t.teardown(async () => (await g.close(), await oa.close()));
  // Default maxRetries (2): a 429 is retried unless the answer says x-should-retry: false.
  const err = await new OpenAI({ apiKey: VK, baseURL: `${g.url()}/v1` }).chat.completions.create(chat).catch((e: unknown) => e);
  t.ok(err instanceof OpenAI.RateLimitError, 'OpenAI.RateLimitError');
  const e = err as InstanceType<typeof OpenAI.APIError>;
  t.match([e.status, e.type, e.code], [429, 'insufficient_quota', 'insufficient_quota']);
  t.equal(e.headers?.get('x-should-retry'), 'false');
  t.match(e.message, /Budget exceeded for key:tiny/);
  t.match(e.error, { dgp_code: 'DGP_ERR_KEYS_BUDGET_EXCEEDED', details: { budget: 'key:tiny', limit_usd: '0.000001', reset_at: /T00:00:00\.000Z$/ } });
  await waitFor('the access line', () => accessLines(g).length === 1);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(accessLines(g).length, 1, 'the SDK sent it once: no retry');
  t.equal(oa.requests.length, 0, 'nothing reached the upstream');
  t.match(accessLines(g)[0], { status: 429, key_id: 'tiny' });

  const an = await startMockAnthropic({ reply: { text: 'hello' } });
  const ga = await startSpendGateway({ keys, provider: 'anthropic', port: an.port });
  t.teardown(async () => (await ga.close(), await an.close()));
  const aerr = await new Anthropic({ apiKey: VK, baseURL: ga.url() })
    .messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 500, messages: [{ role: 'user', content: 'hi' }] })
    .catch((x: unknown) => x);
  t.ok(aerr instanceof Anthropic.RateLimitError, 'Anthropic.RateLimitError');
  t.match((aerr as InstanceType<typeof Anthropic.APIError>).error, { type: 'error', error: { type: 'rate_limit_error', details: { error_code: 'enforced_spend_limit_reached' } } });
  await waitFor('the access line', () => accessLines(ga).length === 1);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(accessLines(ga).length, 1, 'no retry');
  t.equal(an.requests.length, 0);
});

t.test('50 concurrent requests, a budget that fits 10: 10 admitted; spend = the upstream usages priced by the book', async (t) => {
  const hold = holdOf(chat);
  const per = priceOf('openai', 'gpt-4o-mini', usage(20, 10));
  const keys = `                    keys:
                      - {key: ${VK}, alias: ten, max_budget_usd: ${usdOf(Math.floor(10.5 * hold))}, budget_duration: 1mo}
`;
  let rejected = 0;
  let release: () => void = () => undefined;
  const released = new Promise<void>((r) => (release = r));
  // Every admitted request waits upstream until every refused one came back: no settle frees room early.
  const up = await startMockOpenAi({ reply: { text: 'hello', usage: { input: 20, output: 10 } }, gate: () => released });
  const g = await startSpendGateway({ keys, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const client = new OpenAI({ apiKey: VK, baseURL: `${g.url()}/v1` });
  const calls = Array.from({ length: 50 }, () =>
    client.chat.completions.create(chat).then(
      () => 'ok' as const,
      (err: unknown) => {
        rejected++;
        return err;
      },
    ),
  );
  await waitFor('every request upstream or refused', () => up.requests.length + rejected === 50);
  release();
  const results = await Promise.all(calls);
  const admitted = results.filter((r) => r === 'ok').length;
  t.equal(admitted, up.requests.length, 'every admitted request was answered');
  t.ok(admitted <= 11, `at most 10 (+1) admitted: ${admitted}`);
  t.equal(admitted, 10, 'exactly what fits');
  t.ok(results.filter((r) => r !== 'ok').every((r) => r instanceof OpenAI.RateLimitError), 'the rest: RateLimitError');
  await waitFor('50 access lines', () => accessLines(g).length >= 50);
  t.equal(accessLines(g).length, 50, 'no SDK retried a 429');

  const row = await ledgerRow(g, 'ten', admitted);
  t.equal(row.cost_nanos, admitted * per, 'the ledger: the sum of the upstream usages priced by the book');
  t.same([row.input_tokens, row.output_tokens], [admitted * 20, admitted * 10]);
  const b = (await adminGet(g, '/admin/v1/budgets?key=ten')) as { budgets: Array<Record<string, unknown>> };
  t.match(b.budgets, [{ budget: 'key:ten', spent_nanos: admitted * per, held_nanos: 0, limit_nanos: Math.floor(10.5 * hold) }]);
});
