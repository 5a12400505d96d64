// One entry serves every client API: an OpenAI unary miss, then the same question as an Anthropic stream (a hit,
// replayed as Anthropic's full event sequence) and as Gemini unary and alt=sse (hits), with the texts and tool calls
// equal; the upstream is called once. Another model_map or another cluster misses.
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { anthropicClient, metricValue, openAiClient } from '../../../e2e/providers/helpers.js';
import { accessLines } from '../../../e2e/providers/helpers.js';
import { cacheGatewayYaml, gemini, geminiText, plainMetric, question } from './helpers.js';

const ANSWER = 'The capital of France is Paris, a city on the Seine.';

t.test('OpenAI unary miss, Anthropic stream hit, Gemini unary and SSE hits', async (t) => {
  const up = await startMockOpenAi({ reply: { text: ANSWER, usage: { input: 20, output: 12 } } });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));

  const oa = openAiClient(g.url());
  const first = await oa.chat.completions.create(question()).withResponse();
  t.equal(first.response.headers.get('x-dgp-cache'), 'MISS');
  t.equal(first.data.choices[0]!.message.content, ANSWER);

  const an = anthropicClient(g.url());
  const { data: stream, response } = await an.messages
    .create({ model: 'gpt-4o-mini', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'What is the capital of France?' }], stream: true })
    .withResponse();
  t.equal(response.headers.get('x-dgp-cache'), 'HIT', 'the Anthropic stream is a hit on the OpenAI entry');
  t.ok(Number(response.headers.get('age')) >= 0, 'Age is sent');
  const types: string[] = [];
  let text = '';
  let deltas = 0;
  let stop: string | null | undefined;
  for await (const ev of stream) {
    types.push(ev.type);
    if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') (text += ev.delta.text), deltas++;
    if (ev.type === 'message_delta') stop = ev.delta.stop_reason;
  }
  t.equal(text, ANSWER, 'the same text');
  t.ok(deltas >= 5, `replayed in word-sized deltas (${deltas}), not one blob`);
  t.equal(stop, 'end_turn');
  t.same([types[0], types[1], types.at(-2), types.at(-1)], ['message_start', 'content_block_start', 'message_delta', 'message_stop'], "Anthropic's full event sequence");

  const gu = await gemini(g.url(), 'What is the capital of France?');
  t.equal(gu.res.headers.get('x-dgp-cache'), 'HIT');
  t.equal(geminiText(gu.text), ANSWER);
  const gs = await gemini(g.url(), 'What is the capital of France?', { stream: true });
  t.equal(gs.res.headers.get('x-dgp-cache'), 'HIT');
  t.match(gs.res.headers.get('content-type'), /text\/event-stream/);
  t.equal(geminiText(gs.text), ANSWER, 'Gemini alt=sse replay');

  const arr = await fetch(`${g.url()}/v1beta/models/gpt-4o-mini:streamGenerateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user', parts: [{ text: 'What is the capital of France?' }] }], generationConfig: { maxOutputTokens: 64 } }),
  });
  const arrText = await arr.text();
  t.equal(arr.headers.get('x-dgp-cache'), 'HIT');
  const parts = JSON.parse(arrText) as Array<{ candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }> }>;
  t.equal(parts.map((p) => p.candidates?.[0]?.content?.parts?.map((x) => x.text ?? '').join('') ?? '').join(''), ANSWER, 'Gemini JSON-array stream (no alt=sse) replay');

  const again = await oa.chat.completions.create(question()).withResponse();
  t.equal(again.response.headers.get('x-dgp-cache'), 'HIT');
  t.not(again.data.id, first.data.id, 'a new id per hit');
  t.match(again.data.usage, { prompt_tokens: 20, completion_tokens: 12, total_tokens: 32 }, 'the original usage is reported');

  t.equal(up.requests.length, 1, 'one upstream call for six answers');
  t.equal(await metricValue(g, 'dgp_cache_requests_total', { outcome: 'hit' }), 5);
  t.equal(await metricValue(g, 'dgp_cache_requests_total', { outcome: 'miss' }), 1);
  t.equal(await metricValue(g, 'dgp_cache_saved_tokens_total', { kind: 'output' }), 60);
  // gpt-4o-mini: $0.15 / $0.60 per million input / output tokens; each hit saved 20 in + 12 out = $0.00001020.
  t.equal(Number((await plainMetric(g.adminUrl, 'dgp_cache_saved_usd_total')).toFixed(8)), 0.000051, 'five hits saved what the answer cost, priced by the bundled book');
  const hits = accessLines(g).filter((l) => l.cache === 'HIT') as Array<{ cache_saved_usd?: string }>;
  t.equal(hits.length, 5);
  t.ok(hits.every((l) => Number(l.cache_saved_usd) > 0), 'each hit logs cache_saved_usd');
});

t.test('tool calls replay equal in every API; an OpenAI stream gets a usage chunk only when it asks', async (t) => {
  const reply = { toolCalls: [{ id: 'call_weather_1', name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } }], usage: { input: 30, output: 9 } };
  const up = await startMockOpenAi({ reply });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] } } }];
  const oa = openAiClient(g.url());
  const miss = await oa.chat.completions.create(question({ tools })).withResponse();
  t.equal(miss.response.headers.get('x-dgp-cache'), 'MISS');
  const call = miss.data.choices[0]!.message.tool_calls![0]! as { id: string; function: { name: string; arguments: string } };

  const chunks = await oa.chat.completions.create({ ...question({ tools }), stream: true });
  let args = '';
  let name = '';
  let finish: string | null = null;
  let usageChunks = 0;
  for await (const c of chunks) {
    if (c.usage) usageChunks++;
    const tc = c.choices[0]?.delta.tool_calls?.[0];
    if (tc?.function?.name) name = tc.function.name;
    if (tc?.function?.arguments) args += tc.function.arguments;
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  t.equal(name, 'get_weather');
  t.same(JSON.parse(args), JSON.parse(call.function.arguments), 'the streamed arguments equal the unary ones');
  t.equal(finish, 'tool_calls');
  t.equal(usageChunks, 0, 'no usage chunk when include_usage was not asked');
  const withUsage = await oa.chat.completions.create({ ...question({ tools }), stream: true, stream_options: { include_usage: true } });
  let usage: unknown;
  for await (const c of withUsage) if (c.usage) usage = c.usage;
  t.same(usage, { prompt_tokens: 30, completion_tokens: 9, total_tokens: 39 }, 'the usage chunk when asked');

  const an = anthropicClient(g.url());
  const msg = await an.messages.create({ model: 'gpt-4o-mini', max_tokens: 64, system: 'Be brief.', tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: tools[0]!.function.parameters as { type: 'object' } }], messages: [{ role: 'user', content: 'What is the capital of France?' }] }).withResponse();
  t.equal(msg.response.headers.get('x-dgp-cache'), 'HIT', 'the Anthropic request with the same tool hits');
  const use = msg.data.content.find((b) => b.type === 'tool_use') as { name: string; input: unknown } | undefined;
  t.equal(use?.name, 'get_weather');
  t.same(use?.input, JSON.parse(call.function.arguments));
  t.equal(msg.data.stop_reason, 'tool_use');
  t.equal(up.requests.length, 1);
});

t.test('a model_map change or another cluster misses', async (t) => {
  const up = await startMockOpenAi({ reply: { text: ANSWER } });
  const clusters = (map: string) => ({
    llm: [{ provider: 'openai' as const, port: up.port, extra: { model_map: { 'gpt-4o-mini': map } } }],
    other: [{ provider: 'openai' as const, port: up.port, extra: { model_map: { 'gpt-4o-mini': map } } }],
  });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: clusters('gpt-4o-mini-2024-07-18') }));
  t.teardown(async () => (await g.close(), await up.close()));
  const oa = openAiClient(g.url());
  t.equal((await oa.chat.completions.create(question()).withResponse()).response.headers.get('x-dgp-cache'), 'MISS');
  t.equal((await oa.chat.completions.create(question()).withResponse()).response.headers.get('x-dgp-cache'), 'HIT');
  const other = await oa.chat.completions.create(question(), { headers: { 'x-cluster': 'other' } }).withResponse();
  t.equal(other.response.headers.get('x-dgp-cache'), 'MISS', 'another endpoint group misses');
  await g.writeConfig(cacheGatewayYaml({ cache: '{scope: global}', clusters: clusters('gpt-4.1-mini') }));
  await g.gw.reload();
  t.equal((await oa.chat.completions.create(question()).withResponse()).response.headers.get('x-dgp-cache'), 'MISS', 'the same alias mapped to another upstream model misses');
  t.equal((await oa.chat.completions.create(question({ temperature: 0.2 })).withResponse()).response.headers.get('x-dgp-cache'), 'MISS', 'another temperature misses');
  t.equal((await oa.chat.completions.create(question({ temperature: 1, user: 'u-1' })).withResponse()).response.headers.get('x-dgp-cache'), 'HIT', 'a default temperature and a user field hash as their absence');
  t.equal(up.requests.length, 4);
});
