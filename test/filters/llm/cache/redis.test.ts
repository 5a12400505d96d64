// The cache in one real Redis: two gateway processes share entries (a hit on the second from an entry the first
// stored, through another client API), a purge through either one reaches both, big entries are stored gzip-
// compressed; with Redis down the cache fails open — every request a MISS served by the upstream, the failures
// counted. The process test needs the compiled dist/.
import { Redis } from 'ioredis';
import t from 'tap';
import { startRedis } from '../../../helpers/redis-server.js';
import { startGateway } from '../../../helpers/gateway.js';
import { JSON_TYPE, adminRequest } from '../../../helpers/admin-call.js';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { metricValue } from '../../../e2e/providers/helpers.js';
import { startGatewayProcess } from '../ratelimit/helpers.js';
import { cacheGatewayYaml, geminiText, post, question } from './helpers.js';

const redis = await startRedis();
t.teardown(() => redis.close());
// A short command timeout keeps the Redis-down case fast; the coalescing case gets a long one, so that a Redis call
// slowed by a loaded machine is not a store failure (which fails open to MISS by design) in a test about coalescing.
const adapter = (prefix: string, commandTimeout = '500ms') => `    - {id: cache, name: dgp.adapter.store.redis, config: {url: "${redis.url}", key_prefix: "${prefix}", connect_timeout: 1s, command_timeout: ${commandTimeout}, reconnect_max: 200ms}}`;
const LONG = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');

t.test('two gateway processes share one Redis', async (t) => {
  const up = await startMockOpenAi({ reply: { text: LONG, usage: { input: 12, output: 400 } } });
  const yaml = cacheGatewayYaml({ cache: '{store: cache, scope: global}', adapters: adapter('two:', '10s'), clusters: { llm: [{ provider: 'openai', port: up.port }] } });
  const [a, b] = await Promise.all([startGatewayProcess(yaml), startGatewayProcess(yaml)]);
  t.teardown(async () => (await Promise.all([a!.stop(), b!.stop()]), await up.close()));
  const first = await post(`http://127.0.0.1:${a!.port}/v1/chat/completions`, question({ messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: 64 }));
  await first.text();
  t.equal(first.headers.get('x-dgp-cache'), 'MISS', 'stored by the first process');
  const same = await fetch(`http://127.0.0.1:${b!.port}/v1beta/models/gpt-4o-mini:generateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'What is the capital of France?' }] }], generationConfig: { maxOutputTokens: 64 } }),
  });
  const text = await same.text();
  t.equal(same.headers.get('x-dgp-cache'), 'HIT', 'the second process hits on the first one\'s entry, for a Gemini client');
  t.equal(geminiText(text), LONG);
  t.equal(up.requests.length, 1);

  const raw = new Redis(redis.port, '127.0.0.1');
  t.teardown(() => raw.disconnect());
  const keys = await raw.keys('two:cache:*');
  t.equal(keys.length, 1, 'one entry');
  const values = await Promise.all(keys.map((k) => raw.get(k)));
  t.ok(values.every((v) => v!.startsWith('z:')), 'entries over compress_over are gzip-compressed');
  t.ok(values.every((v) => v!.length < LONG.length), 'and smaller than the answer');

  const purge = await adminRequest(b!.admin, '/admin/v1/cache?scope=global', { method: 'DELETE', headers: JSON_TYPE });
  t.equal(purge.status, 200);
  const after = await post(`http://127.0.0.1:${a!.port}/v1/chat/completions`, question({ messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: 64 }));
  await after.text();
  t.equal(after.headers.get('x-dgp-cache'), 'MISS', 'a purge through the second process empties the scope for the first');
});

t.test('identical misses on two processes make one upstream call (coalescing through Redis)', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const up = await startMockOpenAi({ reply: { text: 'Paris, on the Seine.' }, gate: () => gate });
  const yaml = cacheGatewayYaml({ cache: '{store: cache, scope: global}', adapters: adapter('coalesce:', '10s'), clusters: { llm: [{ provider: 'openai', port: up.port }] } });
  const gws = await Promise.all([startGatewayProcess(yaml), startGatewayProcess(yaml)]);
  t.teardown(async () => (release(), await Promise.all(gws.map((g) => g.stop())), await up.close()));
  const calls = Array.from({ length: 20 }, (_, i) =>
    post(`http://127.0.0.1:${gws[i % 2]!.port}/v1/chat/completions`, question()).then(async (r) => ({ cache: r.headers.get('x-dgp-cache'), body: (await r.json()) as { choices: Array<{ message: { content: string } }> } })),
  );
  const metric = async (name: string) => {
    let sum = 0;
    for (const g of gws) {
      for (const line of (await (await fetch(`http://127.0.0.1:${g.admin}/metrics`)).text()).split('\n')) {
        if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  };
  const waiting = () => metric('dgp_cache_coalesce_waiting');
  for (let i = 0; i < 800 && (await waiting()) < 19; i++) await new Promise((r) => setTimeout(r, 25));
  t.equal(await metric('dgp_cache_store_errors_total'), 0, 'no store call failed (a failure fails open to MISS)');
  t.equal(await waiting(), 19, '9 local followers in each process, and the other process\'s leader waiting on the lock');
  t.equal(up.requests.length, 1);
  release();
  const got = await Promise.all(calls);
  t.ok(got.every((g) => g.body.choices[0]!.message.content === 'Paris, on the Seine.'));
  t.same(got.map((g) => g.cache).sort(), ['MISS', ...Array(19).fill('COALESCED')].sort());
  t.equal(up.requests.length, 1, 'one upstream call for both processes');
});

t.test('semantic matches across instances: the vectors are shared through Redis', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Twenty-one days.' } });
  const yaml = cacheGatewayYaml({ cache: '{store: cache, scope: global, semantic: {enabled: true, threshold: 0.85}}', adapters: adapter('sem:', '10s'), clusters: { llm: [{ provider: 'openai', port: up.port }] } });
  const a = await startGateway(yaml);
  const b = await startGateway(yaml);
  t.teardown(async () => (await a.close(), await b.close(), await up.close()));
  const ask = (text: string) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] });
  const first = await post(`${a.url()}/v1/chat/completions`, ask('How many days are in 3 weeks?'));
  await first.text();
  t.equal(first.headers.get('x-dgp-cache'), 'MISS');
  const para = await post(`${b.url()}/v1/chat/completions`, ask('In 3 weeks, how many days are there?'));
  const body = (await para.json()) as { choices: Array<{ message: { content: string } }> };
  t.equal(para.headers.get('x-dgp-cache'), 'HIT_SEMANTIC', 'the other instance finds the question the first one stored');
  t.equal(body.choices[0]!.message.content, 'Twenty-one days.');
  const four = await post(`${b.url()}/v1/chat/completions`, ask('How many days are in 4 weeks?'));
  await four.text();
  t.equal(four.headers.get('x-dgp-cache'), 'MISS', 'the guards hold across instances too');
  t.equal(up.requests.length, 2);
});

t.test('Redis down: the cache fails open to MISS and counts the failures', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Paris.' } });
  const g = await startGateway(cacheGatewayYaml({ cache: '{store: cache, scope: global}', adapters: adapter('down:'), clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  await (await post(url, question())).text();
  const hit = await post(url, question());
  await hit.text();
  t.equal(hit.headers.get('x-dgp-cache'), 'HIT');
  await redis.stop();
  const r = await post(url, question());
  await r.text();
  t.equal(r.status, 200, 'still answered');
  t.equal(r.headers.get('x-dgp-cache'), 'MISS');
  t.ok((await metricValue(g, 'dgp_cache_store_errors_total', {})) >= 1, 'the failure is counted');
  t.equal(up.requests.length, 2);
  await redis.start();
});
