// What a request costs and where that shows: cached prompt tokens at the cache rate (OpenAI and Anthropic), the
// opt-in x-dgp-cost-usd header, dgp_llm_cost_usd_total, an unpriced model (403 for a budgeted key, counted for the
// rest), on_exhaust.fallback_model, and team and end-user budgets.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import t from 'tap';
import { formatUsd } from '../../../../../core/llm/index.js';
import { startMockAnthropic, startMockOpenAi } from '../../../../helpers/mock-providers/index.js';
import { MASTER, accessLines, adminGet, book, holdOf, priceOf, startSpendGateway, usage, usdOf, waitFor } from './helpers.js';

const VK = 'sk-dgp-cost-test-key';

t.test('OpenAI cached tokens at the cache rate; x-dgp-cost-usd on unary answers; dgp_llm_cost_usd_total', async (t) => {
  const keys = `                    cost_header: true
                    keys:
                      - {key: ${VK}, alias: cached}
`;
  const up = await startMockOpenAi({ reply: { text: 'ok', usage: { input: 10_000, output: 100, cached: 8_000 } } });
  const g = await startSpendGateway({ keys, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const { data, response } = await new OpenAI({ apiKey: VK, baseURL: `${g.url()}/v1`, maxRetries: 0 })
    .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    .withResponse();
  t.equal(data.usage?.prompt_tokens_details?.cached_tokens, 8_000);
  const cost = priceOf('openai', 'gpt-4o-mini', usage(10_000, 100, 8_000));
  const uncached = priceOf('openai', 'gpt-4o-mini', usage(10_000, 100));
  t.ok(cost < uncached, `cached tokens cost less: ${cost} < ${uncached}`);
  const rates = book.price('openai', 'gpt-4o-mini', usage(10_000, 100, 8_000)).breakdown;
  t.ok(rates.cache_read > 0 && rates.cache_read < (8_000 * rates.input) / 2_000, 'the cached part at its own (lower) rate');
  t.equal(response.headers.get('x-dgp-cost-usd'), formatUsd(cost));
  await waitFor('the access line', () => accessLines(g).length === 1);
  t.match(accessLines(g)[0], { cost_usd: formatUsd(cost) });
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  const line = metrics.split('\n').find((l) => l.startsWith('dgp_llm_cost_usd_total{'));
  t.match(line, /model="gpt-4o-mini(-2025-01-01)?",provider="openai",route="/);
  t.equal(Number(line?.split(' ').at(-1)), cost / 1e9);
});

t.test('Anthropic cache reads and writes priced at their rates (input_tokens is only the uncached part)', async (t) => {
  const keys = `                    keys:
                      - {key: ${VK}, alias: claude}
`;
  const up = await startMockAnthropic({ reply: { text: 'ok', usage: { input: 50, output: 20, cached: 4_000 } } });
  const g = await startSpendGateway({ keys, provider: 'anthropic', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  await new Anthropic({ apiKey: VK, baseURL: g.url(), maxRetries: 0 }).messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
  // Anthropic: input_tokens 50 uncached + cache_read_input_tokens 4000 → 4050 prompt tokens, 4000 of them cached.
  const cost = priceOf('anthropic', 'claude-3-5-haiku-latest', usage(4_050, 20, 4_000));
  await waitFor('the access line', () => accessLines(g).length === 1);
  t.match(accessLines(g)[0], { cost_usd: formatUsd(cost) });
  t.ok(cost < priceOf('anthropic', 'claude-3-5-haiku-latest', usage(4_050, 20)), 'cheaper than uncached');
});

t.test('an unpriced model: 403 for a key with a budget (unknown_price: block), counted for a key without', async (t) => {
  const keys = `                    keys:
                      - {key: ${VK}, alias: budgeted, max_budget_usd: 1}
                      - {key: sk-dgp-free-spender, alias: unbudgeted}
`;
  const up = await startMockOpenAi({ reply: { text: 'ok' } });
  const g = await startSpendGateway({ keys, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const ask = { model: 'acme-private-llm', messages: [{ role: 'user' as const, content: 'hi' }] };
  const err = await new OpenAI({ apiKey: VK, baseURL: `${g.url()}/v1`, maxRetries: 0 }).chat.completions.create(ask).catch((e: unknown) => e);
  t.ok(err instanceof OpenAI.PermissionDeniedError);
  t.equal((err as InstanceType<typeof OpenAI.APIError>).code, 'DGP_ERR_KEYS_UNKNOWN_PRICE');
  t.equal(up.requests.length, 0);
  await new OpenAI({ apiKey: 'sk-dgp-free-spender', baseURL: `${g.url()}/v1`, maxRetries: 0 }).chat.completions.create(ask);
  await waitFor('two access lines', () => accessLines(g).length === 2);
  t.match(accessLines(g)[1], { status: 200, cost_usd: '0' });
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  t.match(metrics, /dgp_llm_cost_unknown_total\{model="acme-private-llm(-2025-01-01)?",provider="openai"\} 1/);
});

t.test('on_exhaust.fallback_model: a spent per-model budget serves the request with the fallback model', async (t) => {
  const keys = `                    keys:
                      - key: ${VK}
                        alias: falls-back
                        model_budgets: {gpt-4o: {max_budget_usd: 0.000001, budget_duration: 1d}}
                        on_exhaust: {fallback_model: gpt-4o-mini}
`;
  const up = await startMockOpenAi({ reply: { text: 'cheaper' } });
  const g = await startSpendGateway({ keys, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const r = await new OpenAI({ apiKey: VK, baseURL: `${g.url()}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(r.choices[0]?.message.content, 'cheaper');
  t.equal((up.requests[0]!.body as { model: string }).model, 'gpt-4o-mini', 'the upstream was asked for the fallback model');
  await waitFor('the access line', () => accessLines(g).length === 1);
  t.match(accessLines(g)[0], { status: 200, budget_fallback: 'gpt-4o-mini' });
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  t.match(metrics, /dgp_llm_budget_denials_total\{scope="key",outcome="fallback"\} 1/);
});

t.test('team budgets from the key store, and the end-user budget, each must admit', async (t) => {
  const chat = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };
  const hold = holdOf(chat);
  const keys = `                    budgets: {end_user: {max_budget_usd: ${usdOf(Math.floor(1.5 * holdOf({ ...chat, user: 'alice' })))}, budget_duration: 1d}}
                    keys:
                      - {key: ${VK}, alias: member, team: team-a}
`;
  const up = await startMockOpenAi({ reply: { text: 'ok', usage: { input: 5, output: 5 } } });
  const g = await startSpendGateway({ keys, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const created = await fetch(`${g.adminUrl}/admin/v1/teams`, {
    method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'team-a', max_budget_nanos: Math.floor(0.5 * hold), budget_duration: '1d' }),
  });
  t.equal(created.status, 201);
  const client = new OpenAI({ apiKey: VK, baseURL: `${g.url()}/v1`, maxRetries: 0 });
  const team = await client.chat.completions.create(chat).catch((e: unknown) => e);
  t.ok(team instanceof OpenAI.RateLimitError, 'the team budget is smaller than one request');
  t.match((team as InstanceType<typeof OpenAI.APIError>).error, { details: { budget: 'team:team-a', scope: 'team' } });

  const raised = await fetch(`${g.adminUrl}/admin/v1/teams/team-a`, {
    method: 'PATCH', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: JSON.stringify({ max_budget_usd: 100 }),
  });
  t.equal(raised.status, 200);
  await client.chat.completions.create({ ...chat, user: 'alice' });
  // The first settled well under its hold; a request that may cost twice as much does not fit 1.5 holds' worth.
  const second = await client.chat.completions.create({ ...chat, user: 'alice', max_tokens: 200 }).catch((e: unknown) => e);
  t.ok(second instanceof OpenAI.RateLimitError, 'the end-user budget refuses');
  t.match((second as InstanceType<typeof OpenAI.APIError>).error, { details: { budget: 'end_user:alice' } });
  await client.chat.completions.create({ ...chat, user: 'bob' });
  const report = (await adminGet(g, '/admin/v1/budgets?end_user=alice')) as { budgets: Array<Record<string, unknown>> };
  t.match(report.budgets, [{ budget: 'end_user:alice', spent_nanos: priceOf('openai', 'gpt-4o-mini', usage(5, 5)), held_nanos: 0 }]);
  const teamReport = (await adminGet(g, '/admin/v1/budgets?team=team-a')) as { budgets: Array<Record<string, unknown>> };
  t.match(teamReport.budgets, [{ budget: 'team:team-a', limit_usd: 100, spent_nanos: 2 * priceOf('openai', 'gpt-4o-mini', usage(5, 5)) }]);
});

t.test('GET /admin/v1/budgets: one subject per call, 404 for an unknown one, master key required', async (t) => {
  const keys = `                    keys:
                      - {key: ${VK}, alias: reported, max_budget_usd: 2, budget_duration: 1h, model_budgets: {gpt-4o: {max_budget_usd: 1}}}
`;
  const up = await startMockOpenAi({ reply: { text: 'ok' } });
  const g = await startSpendGateway({ keys, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const call = (q: string, auth = MASTER) => fetch(`${g.adminUrl}/admin/v1/budgets${q}`, { headers: { authorization: `Bearer ${auth}` } });
  t.equal((await call('?key=reported', 'sk-not-the-master-key-0000')).status, 401);
  t.equal((await call('')).status, 400);
  t.equal((await call('?key=reported&team=a')).status, 400);
  t.equal((await call('?key=nobody')).status, 404);
  const r = (await (await call('?key=reported')).json()) as { budgets: Array<Record<string, unknown>> };
  t.match(r.budgets, [
    { budget: 'key:reported', model: null, limit_usd: 2, spent_usd: 0, held_usd: 0, remaining_usd: 2, reset_at: /:00:00\.000Z$/ },
    { budget: 'key:reported:model:gpt-4o', model: 'gpt-4o', limit_usd: 1, reset_at: null },
  ]);
});
