// A cache hit in the spend ledger (the real SQLite key store): the miss's row carries its cost; the hit's row costs 0
// and carries, in cache_saved_nanos, what the miss was charged; the admin spend report sums both (cache_saved_usd).
// The live follower of a coalesced stream is a hit too, with the same saving.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import t from 'tap';
import { formatUsd } from '../../../../core/llm/index.js';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import type { TestGateway } from '../../../helpers/gateway.js';
import { plainMetric } from './helpers.js';
import { accessLines, adminGet, priceOf, startSpendGateway, usage, waitFor } from '../keys/spend/helpers.js';

const VK = 'sk-dgp-cache-ledger-key';
const KEYS = `                    keys:
                      - {key: ${VK}, alias: saver}
`;
const CACHE = `
                - name: dgp.filter.llm.cache
                  config: {scope: key}`;

interface Row {
  request_id: string;
  cost_nanos: number;
  cache: string | null;
  cache_saved_nanos: number;
  status: number;
}

function rows(g: TestGateway): Row[] {
  const path = join(g.dir, 'data', 'keys.db');
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT request_id, cost_nanos, cache, cache_saved_nanos, status FROM spend_ledger ORDER BY ts, request_id').all() as Row[];
  } finally {
    db.close();
  }
}

t.test('a hit\'s ledger row costs 0 and saved what the miss was charged', async (t) => {
  // Chunked, as OpenAI answers: the miss is priced and stored all the same.
  const up = await startMockOpenAi({ reply: { text: 'Paris.', usage: { input: 12_000, output: 3_000 }, wire: { chunked: true } } });
  const g = await startSpendGateway({ keys: KEYS, provider: 'openai', port: up.port, middle: CACHE });
  t.teardown(async () => (await g.close(), await up.close()));
  const oa = new OpenAI({ apiKey: VK, baseURL: `${g.url()}/v1`, maxRetries: 0 });
  const ask = () => oa.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] }).withResponse();
  const miss = await ask();
  t.equal(miss.response.headers.get('x-dgp-cache'), 'MISS');
  const hit = await ask();
  t.equal(hit.response.headers.get('x-dgp-cache'), 'HIT');
  t.equal(hit.data.choices[0]!.message.content, 'Paris.');
  t.equal(up.requests.length, 1);

  const cost = priceOf('openai', 'gpt-4o-mini', usage(12_000, 3_000));
  const ledger = await waitFor('two ledger rows', () => (rows(g).length === 2 ? rows(g) : undefined));
  t.match(ledger[0], { cost_nanos: cost, cache: 'miss', cache_saved_nanos: 0, status: 200 }, 'the miss paid');
  t.match(ledger[1], { cost_nanos: 0, cache: 'hit', cache_saved_nanos: cost, status: 200 }, 'the hit paid nothing and saved the miss\'s cost');

  const report = (await adminGet(g, '/admin/v1/spend?group_by=key')) as { rows: Array<Record<string, unknown>> };
  t.match(report.rows[0], { requests: 2, cost_nanos: cost, cache_saved_nanos: cost, cost_usd: formatUsd(cost), cache_saved_usd: formatUsd(cost) });
  await waitFor('two access lines', () => accessLines(g).length === 2);
  t.match(accessLines(g)[1], { cache: 'HIT', cost_usd: '0', cache_saved_usd: formatUsd(cost) });
});

t.test('a live follower of a coalesced stream is a hit in the ledger, with the same saving', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const up = await startMockOpenAi({ reply: { text: 'Paris is the capital.', usage: { input: 2_000, output: 1_000 }, gapMs: 30 }, gate: () => gate });
  const g = await startSpendGateway({ keys: KEYS, provider: 'openai', port: up.port, middle: CACHE });
  t.teardown(async () => (release(), await g.close(), await up.close()));
  const oa = new OpenAI({ apiKey: VK, baseURL: `${g.url()}/v1`, maxRetries: 0 });
  const stream = async () => {
    const { data, response } = await oa.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Capital of France, again?' }] }).withResponse();
    let text = '';
    for await (const c of data) text += c.choices[0]?.delta.content ?? '';
    return { text, cache: response.headers.get('x-dgp-cache') };
  };
  const leader = stream();
  await waitFor('the leader upstream', () => up.requests.length === 1);
  const follower = stream();
  await waitFor('the follower waiting', async () => (await plainMetric(g.adminUrl, 'dgp_cache_coalesce_waiting')) === 1 || undefined);
  release();
  t.same(await Promise.all([leader, follower]), [{ text: 'Paris is the capital.', cache: 'MISS' }, { text: 'Paris is the capital.', cache: 'COALESCED' }]);
  const cost = priceOf('openai', 'gpt-4o-mini', usage(2_000, 1_000));
  const ledger = await waitFor('two ledger rows', () => (rows(g).length === 2 ? rows(g) : undefined));
  t.same(ledger.map((r) => [r.cache, r.cost_nanos, r.cache_saved_nanos]).sort(), [['hit', 0, cost], ['miss', cost, 0]]);
});
