// Client controls and what every response says: Cache-Control no-store (BYPASS), no-cache (REFRESH), max-age,
// only-if-cached (504 in the client's own error shape, through the official SDKs), the Portkey and Higress aliases,
// directives the operator did not allow are ignored, and a request the cache cannot read says SKIP.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { anthropicClient, openAiClient } from '../../../e2e/providers/helpers.js';
import { cacheGatewayYaml, post, question } from './helpers.js';

t.test('no-store, no-cache, max-age, only-if-cached and the peers\' headers', async (t) => {
  let n = 0;
  const up = await startMockOpenAi({ reply: () => ({ text: `answer number ${++n}` }) });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port, extra: { model_map: { 'gpt-4o-mini': 'gpt-4o-mini' } } }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const ask = async (headers: Record<string, string> = {}, body = question()) => {
    const r = await post(url, body, headers);
    const j = (await r.json()) as { choices?: Array<{ message: { content: string } }>; error?: { code?: string; type?: string } };
    return { status: r.status, cache: r.headers.get('x-dgp-cache'), age: r.headers.get('age'), text: j.choices?.[0]?.message.content, error: j.error };
  };

  const oa = openAiClient(g.url());
  const err = await oa.chat.completions.create(question(), { headers: { 'cache-control': 'only-if-cached' } }).catch((e: unknown) => e);
  t.ok(err instanceof OpenAI.InternalServerError, 'only-if-cached on a miss: the OpenAI SDK sees a 5xx');
  t.equal((err as InstanceType<typeof OpenAI.APIError>).status, 504);
  t.match((err as InstanceType<typeof OpenAI.APIError>).error, { code: 'DGP_ERR_CACHE_NOT_CACHED' });
  const an = anthropicClient(g.url());
  const aerr = await an.messages
    .create({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'cache-control': 'only-if-cached' } })
    .catch((e: unknown) => e);
  t.ok(aerr instanceof Anthropic.InternalServerError, 'and the Anthropic SDK too');
  t.equal((aerr as InstanceType<typeof Anthropic.APIError>).status, 504);
  t.equal(up.requests.length, 0, 'only-if-cached never calls upstream');

  const bypass = await ask({ 'cache-control': 'no-store' });
  t.same([bypass.cache, bypass.text], ['BYPASS', 'answer number 1']);
  const miss = await ask();
  t.same([miss.cache, miss.text], ['MISS', 'answer number 2'], 'no-store wrote nothing');
  const hit = await ask({ 'cache-control': 'only-if-cached' });
  t.same([hit.cache, hit.text, hit.age], ['HIT', 'answer number 2', '0']);
  const refresh = await ask({ 'cache-control': 'no-cache' });
  t.same([refresh.cache, refresh.text], ['REFRESH', 'answer number 3'], 'no-cache goes upstream');
  t.same([(await ask()).text], ['answer number 3'], 'and writes the fresh answer');
  t.equal((await ask({ 'cache-control': 'max-age=60' })).cache, 'HIT', 'an entry younger than max-age');
  await new Promise((r) => setTimeout(r, 1100));
  const old = await ask({ 'cache-control': 'max-age=0' });
  t.same([old.cache, old.text], ['MISS', 'answer number 4'], 'an entry older than max-age is not served');
  t.equal((await ask()).age, '0', 'the refreshed entry is young again');

  const portkey = await ask({ 'x-portkey-cache-force-refresh': 'true' });
  t.same([portkey.cache, portkey.text], ['REFRESH', 'answer number 5'], 'Portkey force-refresh is no-cache');
  const higress = await ask({ 'x-higress-skip-ai-cache': 'on' });
  t.same([higress.cache, higress.text], ['BYPASS', 'answer number 6'], 'Higress skip is no-store');

  const models = await fetch(`${g.url()}/v1/models`);
  await models.text();
  t.equal(models.headers.get('x-dgp-cache'), 'SKIP', 'a request that is no chat call says SKIP');
  t.equal(up.requests.length, 6);
});

t.test('directives the operator does not allow are ignored', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Paris.' } });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global, allow_directives: [max-age]}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  await (await post(url, question())).text();
  const r = await post(url, question(), { 'cache-control': 'no-store', 'x-portkey-cache-force-refresh': 'true' });
  await r.text();
  t.equal(r.headers.get('x-dgp-cache'), 'HIT');
  const o = await post(url, question({ max_tokens: 10 }), { 'cache-control': 'only-if-cached' });
  await o.text();
  t.equal(o.headers.get('x-dgp-cache'), 'MISS', 'only-if-cached not allowed: an ordinary miss');
  t.equal(o.status, 200);
  t.equal(up.requests.length, 2);
});

t.test("a key's cache_controls narrow the directives it may use; x-dgp-cache-ttl is capped by max_ttl", async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Paris.' } });
  const keys = '{keys: [{key: sk-ro, alias: ro, team: red, metadata: {cache_controls: [max-age]}}, {key: sk-rw, alias: rw, team: red}]}';
  const g = await startGateway(cacheGatewayYaml({ keys, cache: '{max_ttl: 300ms}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const send = async (key: string, headers: Record<string, string> = {}) => {
    const r = await post(url, question(), { authorization: `Bearer ${key}`, ...headers });
    await r.text();
    return r.headers.get('x-dgp-cache');
  };
  t.equal(await send('sk-rw', { 'x-dgp-cache-ttl': '3600' }), 'MISS');
  t.equal(await send('sk-ro', { 'cache-control': 'no-cache' }), 'HIT', 'no-cache is not among the key\'s cache_controls: ignored');
  t.equal(await send('sk-rw', { 'cache-control': 'no-store' }), 'BYPASS', 'another key of the team may use it');
  await new Promise((r) => setTimeout(r, 400));
  t.equal(await send('sk-ro'), 'MISS', 'the client asked for an hour; max_ttl kept the entry 300 ms');
  t.equal(up.requests.length, 3);
});

t.test('malformed requests are left to the proxy: its error, x-dgp-cache SKIP, nothing cached', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Paris.' } });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const url = `${g.url()}/v1/chat/completions`;
  for (const body of ['{not json', JSON.stringify({ model: 'gpt-4o-mini', messages: [null, 'x'] }), JSON.stringify({ model: 'gpt-4o-mini', messages: 'hi' }), JSON.stringify([1, 2])]) {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await r.text();
    t.ok(r.status >= 400 && r.status < 500, `${body.slice(0, 30)}: a 4xx (${r.status})`);
    t.equal(r.headers.get('x-dgp-cache'), 'SKIP');
    t.match(JSON.parse(text), { error: { message: String } }, 'in the OpenAI error shape');
  }
  const fine = await post(url, question());
  await fine.text();
  t.equal(fine.headers.get('x-dgp-cache'), 'MISS', 'the gateway is unharmed');
});
