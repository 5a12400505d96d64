// The spend id a budgeted request is held and settled under: a client's x-request-id is kept (a reused one gets its
// own `<id>~<hex>`, so two requests never share a hold and neither runs unbudgeted), and a request without one is held
// under the random id the gateway drew, with no settled-request marker kept for it in the memory store.
import t from 'tap';
import { startMockOpenAi } from '../../../../helpers/mock-providers/index.js';
import { adminGet, book, ledgerRow, startSpendGateway, usage } from './helpers.js';

const VK = 'sk-dgp-request-id-key';

/** The memory store's settled-request markers, from /ready's detail. */
const markersOf = (r: unknown): number | undefined => {
  const detail = (r as { detail?: Record<string, { markers?: number }> }).detail ?? {};
  for (const [name, v] of Object.entries(detail)) if (name.startsWith('dgp.adapter.store.memory')) return v.markers;
  return undefined;
};

t.test('budgeted requests: drawn ids leave no marker; a reused client id is charged each time under its own spend id', async (t) => {
  const keys = `                    keys:
                      - {key: ${VK}, id: kr, alias: rid, max_budget_usd: 100, budget_duration: 1d}
`;
  const up = await startMockOpenAi({ reply: { text: 'ok', usage: { input: 1_000, output: 100 } } });
  const g = await startSpendGateway({ keys, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const send = async (requestId?: string): Promise<Response> =>
    fetch(`${g.url()}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json', ...(requestId === undefined ? {} : { 'x-request-id': requestId }) },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }] }),
    });
  const ready = async (): Promise<unknown> => (await fetch(`${g.adminUrl}/ready`)).json();
  const price = book.price('openai', 'gpt-4o-mini', usage(1_000, 100));
  if (!price.known) return t.fail('the book prices gpt-4o-mini');

  for (let i = 0; i < 3; i++) t.equal((await send()).status, 200);
  const first = await ready();
  t.equal(markersOf(first), 0, `no settled-request marker for ids the gateway drew: ${JSON.stringify(first)}`);

  const reused = 'client-chosen-id-0001';
  const a = await send(reused);
  const b = await send(reused);
  t.equal(a.status, 200);
  t.equal(b.status, 200, 'a reused client id is served, not refused');
  t.equal(a.headers.get('x-request-id'), reused, 'the client sees its own id');
  t.equal(b.headers.get('x-request-id'), reused);
  t.ok(markersOf(await ready())! >= 1, 'a client-chosen id is settled under a marker');

  const [c, d] = await Promise.all([send('concurrent-id-0002'), send('concurrent-id-0002')]);
  t.same([c.status, d.status], [200, 200], 'the same client id on two requests at once: both held, each on its own');

  const row = await ledgerRow(g, 'kr', 7);
  t.equal(row.requests, 7, 'every request has its ledger row');
  t.equal(row.cost_nanos, 7 * price.nanos, 'each charged once at the price of its usage');
  const report = (await adminGet(g, '/admin/v1/budgets?key=kr')) as { budgets: Array<Record<string, unknown>> };
  t.match(report.budgets, [{ budget: 'key:kr', spent_nanos: 7 * price.nanos, held_nanos: 0 }], 'the budget counter agrees, and no hold is left behind');
});
