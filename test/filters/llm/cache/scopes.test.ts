// Tenants are isolated by default (scope team): team B never sees team A's entry, a teamless key has its own scope,
// a namespace header splits a scope further, and a purge of one scope leaves the others. A hit costs nothing against
// the key's token rate (tpm) and is logged at cost 0 with its cache outcome; without dgp.filter.llm.keys the team
// scope falls back to global with a warning.
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { accessLines } from '../../../e2e/providers/helpers.js';
import { JSON_TYPE, adminRequest } from '../../../helpers/admin-call.js';
import { cacheGatewayYaml, post, question } from './helpers.js';

const KEYS = '{keys: [{key: sk-a1, alias: a1, team: red}, {key: sk-a2, alias: a2, team: red, tpm: 300}, {key: sk-b, alias: b, team: blue}, {key: sk-solo, alias: solo}]}';

t.test('team scope: shared inside a team, never across; namespaces; purge', async (t) => {
  const up = await startMockOpenAi({ reply: (r) => ({ text: `answer ${String((r.headers.authorization ?? '').length)} #${Date.now()}`, usage: { input: 20, output: 12 } }) });
  const g = await startGateway(cacheGatewayYaml({ keys: KEYS, clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const ask = async (key: string, headers: Record<string, string> = {}) => {
    const r = await post(url, question(), { authorization: `Bearer ${key}`, ...headers });
    const body = (await r.json()) as { choices: Array<{ message: { content: string } }> };
    return { cache: r.headers.get('x-dgp-cache'), text: body.choices[0]!.message.content, key: r.headers.get('x-dgp-cache-key') };
  };
  const a1 = await ask('sk-a1');
  t.equal(a1.cache, 'MISS');
  t.equal(a1.key, null, 'the key hash is not exposed (no probing oracle)');
  const a2 = await ask('sk-a2');
  t.equal(a2.cache, 'HIT', 'another key of team red hits');
  t.equal(a2.text, a1.text);
  const b = await ask('sk-b');
  t.equal(b.cache, 'MISS', 'team blue does not see team red\'s entry');
  t.not(b.text, a1.text);
  const solo = await ask('sk-solo');
  t.equal(solo.cache, 'MISS', 'a key without a team is its own scope');
  t.equal((await ask('sk-a1', { 'x-dgp-cache-namespace': 'exp-1' })).cache, 'MISS', 'a namespace splits the scope');
  t.equal((await ask('sk-a2', { 'x-dgp-cache-namespace': 'exp-1' })).cache, 'HIT');
  t.equal(up.requests.length, 4);

  const port = Number(new URL(g.adminUrl).port);
  const bad = await adminRequest(port, '/admin/v1/cache?scope=red', { method: 'DELETE', headers: JSON_TYPE });
  t.equal(bad.status, 400, 'a scope that is not global / team: / key: / user: is refused');
  t.equal(bad.body.error.code, 'DGP_ERR_CACHE_BAD_SCOPE');
  const purge = await adminRequest(port, '/admin/v1/cache?scope=team:red', { method: 'DELETE', headers: JSON_TYPE });
  t.equal(purge.status, 200);
  t.match(purge.body, { purged: 'team:red' });
  t.equal((await ask('sk-a2')).cache, 'MISS', 'the purged team misses');
  t.equal((await ask('sk-a2', { 'x-dgp-cache-namespace': 'exp-1' })).cache, 'MISS', 'its namespaces too');
  t.equal((await ask('sk-b')).cache, 'HIT', 'team blue keeps its entry');
});

t.test('a hit costs nothing against tpm and is logged at cost 0', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Paris.', usage: { input: 120, output: 80 } } });
  const g = await startGateway(cacheGatewayYaml({ keys: KEYS, ratelimit: '{}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const statuses: Array<string | number> = [];
  for (let i = 0; i < 6; i++) {
    const r = await post(url, question(), { authorization: 'Bearer sk-a2' });
    await r.text();
    statuses.push(r.status === 200 ? String(r.headers.get('x-dgp-cache')) : r.status);
  }
  t.same(statuses, ['MISS', 'HIT', 'HIT', 'HIT', 'HIT', 'HIT'], 'tpm 300 admits one 200-token miss and any number of hits');
  const other = await post(url, question({ max_tokens: 200 }), { authorization: 'Bearer sk-a2' });
  await other.text();
  t.equal(other.status, 429, 'the miss was charged its 200 tokens: a 200-token estimate no longer fits');
  const lines = accessLines(g) as Array<{ cost_usd?: string; cost_basis?: string }>;
  t.ok(Number(lines[0]!.cost_usd) > 0, 'the miss is logged with its cost');
  const hits = lines.filter((l) => l.cost_basis === 'none');
  t.equal(hits.length, 5, 'every hit is logged with a cost');
  t.ok(hits.every((l) => l.cost_usd === '0'), 'of 0');
  t.equal(up.requests.length, 1);
});

t.test('without the keys filter, scope team falls back to global with a warning', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Paris.' } });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: team}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const one = await post(url, question());
  await one.text();
  const two = await post(url, question(), { authorization: 'Bearer someone-else' });
  await two.text();
  t.equal(two.headers.get('x-dgp-cache'), 'HIT');
  t.ok(g.logs.some((l) => typeof l.msg === 'string' && /scope team needs the principal of dgp\.filter\.llm\.keys/.test(l.msg)), 'warned');
});

t.test('a purge names exactly one scope, whatever characters the team id holds', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Paris.' } });
  const keys = '{keys: [{key: sk-x, alias: x, team: "a"}, {key: sk-y, alias: y, team: "a|1"}]}';
  const g = await startGateway(cacheGatewayYaml({ keys, clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const send = async (key: string) => {
    const r = await post(url, question(), { authorization: `Bearer ${key}` });
    await r.text();
    return r.headers.get('x-dgp-cache');
  };
  t.same([await send('sk-x'), await send('sk-y')], ['MISS', 'MISS']);
  const port = Number(new URL(g.adminUrl).port);
  t.equal((await adminRequest(port, '/admin/v1/cache?scope=team:a', { method: 'DELETE', headers: JSON_TYPE })).status, 200);
  t.same([await send('sk-x'), await send('sk-y')], ['MISS', 'HIT'], 'team a was purged; team a|1 (whose id starts like a scope of a) keeps its entry');
  t.equal((await adminRequest(port, `/admin/v1/cache?scope=${encodeURIComponent('team:a|1')}`, { method: 'DELETE', headers: JSON_TYPE })).status, 200);
  t.equal(await send('sk-y'), 'MISS', 'and is purged by its own name');
});
