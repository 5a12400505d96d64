// Unary answers without a Content-Length (chunked transfer, as OpenAI answers) and content-encoded answers (gzip, br)
// are stored like any other: the first request is a MISS whose bytes reach the client as the upstream sent them, the
// second a HIT with the same text and no upstream call.
import t, { type Test } from 'tap';
import { startMockAnthropic, startMockOpenAi, type MockReply } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { anthropicClient, openAiClient } from '../../../e2e/providers/helpers.js';
import { cacheGatewayYaml, plainMetric, post, question } from './helpers.js';

const ANSWER = 'Paris is the capital of France.';

async function openAiGateway(t: Test, reply: MockReply) {
  const up = await startMockOpenAi({ reply });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'openai', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  return { up, g, url: `${g.url()}/v1/chat/completions` };
}

t.test('a chunked unary answer (no Content-Length) is stored and served as HIT', async (t) => {
  const { up, g, url } = await openAiGateway(t, { text: ANSWER, usage: { input: 12, output: 7 }, wire: { chunked: true } });
  const first = await post(url, question(), { 'accept-encoding': 'identity' });
  t.equal(first.headers.get('x-dgp-cache'), 'MISS');
  t.equal(first.headers.get('content-length'), null, 'the miss passed through chunked');
  t.equal(((await first.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content, ANSWER);
  const second = await post(url, question(), { 'accept-encoding': 'identity' });
  t.equal(second.headers.get('x-dgp-cache'), 'HIT');
  t.equal(((await second.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content, ANSWER);
  t.equal(up.requests.length, 1, 'one upstream call');
  t.equal(await plainMetric(g.adminUrl, 'dgp_cache_stored_total'), 1);
  t.ok((await (await fetch(`${g.adminUrl}/metrics`)).text()).includes('dgp_cache_saved_tokens_total{kind="output"} 7'), 'the usage of the chunked answer was recorded with it');
});

t.test('a chunked gzip answer is stored; the official OpenAI SDK gets the same text from the hit', async (t) => {
  const { up, url } = await openAiGateway(t, { text: ANSWER, wire: { chunked: true, encoding: 'gzip' } });
  const miss = await post(url, question(), { 'accept-encoding': 'gzip' });
  t.equal(miss.headers.get('x-dgp-cache'), 'MISS');
  t.equal(up.requests[0]!.headers['accept-encoding'], 'gzip', 'the client\'s accept-encoding went upstream');
  t.equal(miss.headers.get('content-encoding'), 'gzip', 'the gzip body passed through untouched');
  t.equal(((await miss.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content, ANSWER);
  const oa = openAiClient(url.replace('/v1/chat/completions', ''));
  const { data, response } = await oa.chat.completions.create(question()).withResponse();
  t.equal(response.headers.get('x-dgp-cache'), 'HIT');
  t.equal(data.choices[0]!.message.content, ANSWER);
  t.equal(up.requests.length, 1, 'the SDK was answered from the entry');
});

t.test('a br-encoded answer with a Content-Length (Anthropic) is stored and served as HIT', async (t) => {
  const up = await startMockAnthropic({ reply: { text: ANSWER, wire: { encoding: 'br' } } });
  const g = await startGateway(cacheGatewayYaml({ cache: '{scope: global}', clusters: { llm: [{ provider: 'anthropic', port: up.port }] } }));
  t.teardown(async () => (await g.close(), await up.close()));
  const an = anthropicClient(g.url());
  const ask = () => an.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 64, messages: [{ role: 'user', content: 'What is the capital of France?' }] }, { headers: { 'accept-encoding': 'br' } }).withResponse();
  const a = await ask();
  t.equal(a.response.headers.get('x-dgp-cache'), 'MISS');
  t.equal(up.requests[0]!.headers['accept-encoding'], 'br');
  const b = await ask();
  t.equal(b.response.headers.get('x-dgp-cache'), 'HIT');
  t.same(b.data.content, a.data.content);
  t.equal(up.requests.length, 1);
});
