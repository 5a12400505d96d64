// What is stored and for how long: answers over max_entry_bytes are not stored; a `length` finish is not stored unless
// finish_reasons says so; entries expire after ttl (a key's cache_ttl metadata, capped by max_ttl); the in-process
// LRU stays within max_bytes, dropping the least recently used entry first.
import t from 'tap';
import { startMockOpenAi, type ReceivedRequest } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { cacheGatewayYaml, plainMetric, post } from './helpers.js';

const lastUser = (r: ReceivedRequest): string => {
  const ms = (r.body as { messages: Array<{ content: string }> }).messages;
  return ms[ms.length - 1]!.content;
};
const reply = (r: ReceivedRequest) => {
  const q = lastUser(r);
  if (q.startsWith('long')) return { text: 'x'.repeat(2000) };
  if (q.startsWith('cut')) return { text: 'partial answer', finish: 'length' as const };
  return { text: `answer to ${q}` };
};
const ask = (q: string) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: q }] });

async function cacheOf(url: string, q: string, headers: Record<string, string> = {}): Promise<string | null> {
  const r = await post(url, ask(q), headers);
  await r.text();
  return r.headers.get('x-dgp-cache');
}

t.test('max_entry_bytes, finish reasons and ttl', async (t) => {
  const up = await startMockOpenAi({ reply });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global, ttl: 400ms, max_entry_bytes: 1024}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  t.same([await cacheOf(url, 'long one'), await cacheOf(url, 'long one')], ['MISS', 'MISS'], 'an answer over max_entry_bytes is not stored');
  t.same([await cacheOf(url, 'cut one'), await cacheOf(url, 'cut one')], ['MISS', 'MISS'], 'a length finish is not stored');
  t.same([await cacheOf(url, 'short'), await cacheOf(url, 'short')], ['MISS', 'HIT']);
  await new Promise((r) => setTimeout(r, 500));
  t.equal(await cacheOf(url, 'short'), 'MISS', 'expired after ttl');
});

t.test('finish_reasons may admit length; a key\'s cache_ttl is capped by max_ttl', async (t) => {
  const up = await startMockOpenAi({ reply });
  const keys = '{keys: [{key: sk-long, alias: long, metadata: {cache_ttl: 3600}}]}';
  const g = await startGateway(cacheGatewayYaml({ keys, cache: '{scope: key, ttl: 1h, max_ttl: 400ms, finish_reasons: [stop, length]}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const auth = { authorization: 'Bearer sk-long' };
  t.same([await cacheOf(url, 'cut two', auth), await cacheOf(url, 'cut two', auth)], ['MISS', 'HIT'], 'length admitted by config');
  await new Promise((r) => setTimeout(r, 500));
  t.equal(await cacheOf(url, 'cut two', auth), 'MISS', 'the key asked for an hour, max_ttl capped it at 400 ms');
});

t.test('the in-process LRU stays within max_bytes, least recently used out first', async (t) => {
  const up = await startMockOpenAi({ reply });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global, max_bytes: 6000}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  for (const q of ['q1', 'q2', 'q3']) await cacheOf(url, q);
  t.equal(await cacheOf(url, 'q1'), 'HIT', 'q1 read: now the most recently used');
  for (const q of ['q4', 'q5', 'q6', 'q7', 'q8']) await cacheOf(url, q);
  const bytes = await plainMetric(g.adminUrl, 'dgp_cache_memory_bytes');
  t.ok(bytes > 0 && bytes <= 6000, `within max_bytes (${bytes})`);
  t.equal(await cacheOf(url, 'q8'), 'HIT', 'the newest entry is kept');
  t.equal(await cacheOf(url, 'q2'), 'MISS', 'the least recently used went first');
});

t.test('a large request is keyed in the worker pool and hits like a small one', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Summarised.' } });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global, debug_key: true}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const big = `Summarise: ${'lorem ipsum dolor sit amet '.repeat(12_000)}`;
  const first = await post(url, ask(big));
  await first.text();
  const second = await post(url, ask(big));
  await second.text();
  t.same([first.headers.get('x-dgp-cache'), second.headers.get('x-dgp-cache')], ['MISS', 'HIT']);
  t.match(second.headers.get('x-dgp-cache-key'), /^[0-9a-f]{64}$/, 'the same SHA-256 digest form as a small request');
  t.equal(first.headers.get('x-dgp-cache-key'), second.headers.get('x-dgp-cache-key'));
  t.equal(up.requests.length, 1);
});
