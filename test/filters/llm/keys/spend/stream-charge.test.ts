// Streams are charged from the final usage: a client that did not ask for include_usage gets it asked for upstream
// (by the proxy, or by the tokenizer when it is in the chain) and reads exactly the bytes the upstream would have sent
// without it; a stream the client cuts is charged at least the hold, never 0.
import t from 'tap';
import { formatUsd } from '../../../../../core/llm/index.js';
import { startMockOpenAi } from '../../../../helpers/mock-providers/index.js';
import { accessLines, adminGet, holdOf, ledgerRow, priceOf, startSpendGateway, usage, waitFor } from './helpers.js';

const VK = 'sk-dgp-stream-test-key';
const body = { model: 'gpt-4o-mini', max_tokens: 200, stream: true, messages: [{ role: 'user', content: 'tell me' }] };
const KEYS = `                    keys:
                      - {key: ${VK}, alias: streamer, max_budget_usd: 5, budget_duration: 1d}
`;
const TOKENIZER = `
                - name: dgp.filter.llm.tokenizer
                  config: {}`;

const post = (url: string, auth: string, b: object, signal?: AbortSignal) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: JSON.stringify(b), ...(signal ? { signal } : {}) });

for (const [name, middle] of [['keys → proxy', undefined], ['keys → tokenizer → proxy', TOKENIZER]] as const) {
  t.test(`${name}: include_usage asked for upstream, the client's bytes unchanged, charged from the final usage`, async (t) => {
    const up = await startMockOpenAi({ reply: { text: 'Hello there, friend.', usage: { input: 31, output: 7 } } });
    const g = await startSpendGateway({ keys: KEYS, provider: 'openai', port: up.port, ...(middle === undefined ? {} : { middle }) });
    t.teardown(async () => (await g.close(), await up.close()));
    const viaGateway = await (await post(g.url(), VK, body)).text();
    t.same(up.requests[0]!.body, { ...body, stream_options: { include_usage: true } }, 'the upstream was asked for usage');
    const direct = await (await post(up.url, 'sk-test', body)).text();
    t.notMatch(direct, '"usage"', 'without include_usage the upstream sends no usage');
    t.equal(viaGateway, direct, 'the client read byte for byte what it asked for');

    const cost = priceOf('openai', 'gpt-4o-mini', usage(31, 7));
    t.ok(cost > 0);
    await waitFor('the access line', () => accessLines(g).length === 1);
    t.match(accessLines(g)[0], { status: 200, cost_usd: formatUsd(cost) });
    t.notOk('cost_basis' in accessLines(g)[0]!, 'charged from the reported usage');
    const row = await ledgerRow(g, 'streamer', 1);
    t.match(row, { cost_nanos: cost, input_tokens: 31, output_tokens: 7 });
  });
}

t.test('a client that asked for usage gets its own stream, usage chunk included, and is charged from it', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Hi', usage: { input: 12, output: 3 } } });
  const g = await startSpendGateway({ keys: KEYS, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const asked = { ...body, stream_options: { include_usage: true } };
  const text = await (await post(g.url(), VK, asked)).text();
  t.equal(text, await (await post(up.url, 'sk-test', asked)).text());
  t.match(text, '"usage":{"prompt_tokens":12');
  await waitFor('the access line', () => accessLines(g).length === 1);
  t.match(accessLines(g)[0], { cost_usd: formatUsd(priceOf('openai', 'gpt-4o-mini', usage(12, 3))) });
});

t.test('a stream the client cuts is charged the hold (the upstream reported nothing), never 0', async (t) => {
  const hold = holdOf(body);
  // Two events (the role chunk and half the text), then the upstream stalls with the connection open.
  const up = await startMockOpenAi({ reply: { text: 'a long answer that never ends', stallAfter: 2 } });
  const g = await startSpendGateway({ keys: KEYS, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const ac = new AbortController();
  const res = await post(g.url(), VK, body, ac.signal);
  const reader = res.body!.getReader();
  const first = await reader.read();
  t.match(Buffer.from(first.value!).toString(), /^data: /, 'the stream started');
  ac.abort();
  await waitFor('the access line', () => accessLines(g).length === 1);
  t.match(accessLines(g)[0], { status: 499, cost_usd: formatUsd(hold), cost_basis: 'hold' });
  t.ok(hold > 0);
  const row = await ledgerRow(g, 'streamer', 1);
  t.equal(row.cost_nanos, hold, 'the ledger has the hold');
  const b = (await adminGet(g, '/admin/v1/budgets?key=streamer')) as { budgets: Array<Record<string, number>> };
  t.match(b.budgets[0], { spent_nanos: hold, held_nanos: 0 }, 'the counter was charged the hold, and nothing is left held');
});

t.test('an upstream that reports no usage: charged the tokenizer\'s count when it is in the chain, else the hold', async (t) => {
  const unary = { model: 'gpt-4o-mini', max_tokens: 300, messages: [{ role: 'user', content: 'count me' }] };
  const up = await startMockOpenAi({ reply: { text: 'one two three four five', omitUsage: true } });
  const counted = await startSpendGateway({ keys: KEYS, provider: 'openai', port: up.port, middle: TOKENIZER });
  const bare = await startSpendGateway({ keys: `                    keys:\n                      - {key: ${VK}, alias: streamer}\n`, provider: 'openai', port: up.port });
  t.teardown(async () => (await counted.close(), await bare.close(), await up.close()));

  t.equal((await post(counted.url(), VK, unary)).status, 200);
  await waitFor('the access line', () => accessLines(counted).length === 1);
  const line = accessLines(counted)[0]!;
  t.match(line, { cost_basis: 'counted' });
  const row = await ledgerRow(counted, 'streamer', 1);
  t.ok(row.input_tokens > 0 && row.output_tokens > 0, 'the counted tokens are in the ledger');
  t.equal(line.cost_usd, formatUsd(priceOf('openai', 'gpt-4o-mini', usage(row.input_tokens, row.output_tokens))));

  // No tokenizer and no budget: the worst case is estimated when the request ends, so the ledger never says 0.
  t.equal((await post(bare.url(), VK, unary)).status, 200);
  await waitFor('the access line', () => accessLines(bare).length === 1);
  t.match(accessLines(bare)[0], { cost_basis: 'hold', cost_usd: formatUsd(holdOf(unary)) });
});

t.test('an upstream error answer costs nothing and frees the hold', async (t) => {
  const up = await startMockOpenAi({ reply: { error: { status: 500, body: { error: { message: 'boom', type: 'server_error', param: null, code: null } } } } });
  const g = await startSpendGateway({ keys: KEYS, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const res = await post(g.url(), VK, { ...body, stream: false });
  t.equal(res.status, 500);
  await waitFor('the access line', () => accessLines(g).length === 1);
  t.match(accessLines(g)[0], { status: 500, cost_usd: '0' });
  const b = (await adminGet(g, '/admin/v1/budgets?key=streamer')) as { budgets: Array<Record<string, number>> };
  t.match(b.budgets[0], { spent_nanos: 0, held_nanos: 0 });
});
