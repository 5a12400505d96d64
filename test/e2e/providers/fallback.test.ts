// Cross-provider fallback through the REAL gateway: an OpenAI-speaking client whose Anthropic endpoint answers 529 or
// 503 falls back to a Gemini endpoint and still receives OpenAI-shaped responses and streams. Whether a status is
// retried is judged on the UPSTREAM status, before it is translated for the client (529 → 503 for OpenAI clients).
import t from 'tap';
import { readJson } from '../../adapters/provider/helpers.js';
import { startGateway } from '../../helpers/gateway.js';
import type { MockReply } from '../../helpers/mock-providers/index.js';
import { anthropicClient, gatewayYaml, openAiClient, startMock, type EndpointConf } from './helpers.js';

const reply: MockReply = {
  text: 'Sunny in Paris',
  toolCalls: [{ name: 'get_forecast', args: { city: 'Paris', days: 3 } }, { name: 'get_forecast', args: { city: 'Tokyo', days: 3 } }],
  usage: { input: 30, output: 12 },
};
const overloaded = (status: number): MockReply => ({
  error: { status, headers: { 'retry-after': '1' }, body: { type: 'error', error: { type: status === 529 ? 'overloaded_error' : 'api_error', message: 'Overloaded' } } },
});

t.test('an OpenAI client falls back from an Anthropic endpoint to a Gemini one', async (t) => {
  const claude = await startMock('anthropic', (req) => overloaded(Number(req.headers['x-mock-status'] ?? 529)));
  const gemini = await startMock('gemini', reply);
  const eps = (): EndpointConf[] => [
    { id: 'claude', provider: 'anthropic', port: claude.port, fallback: true, meta: { weight: '1' }, extra: { model_map: { '*': 'claude-sonnet-4-5' } } },
    { id: 'gem', provider: 'gemini', port: gemini.port, meta: { weight: '0' }, extra: { model_map: { '*': 'gemini-2.5-flash' } } },
  ];
  const gw = await startGateway(
    gatewayYaml([
      { name: 'fb', cluster: 'fb', endpoints: eps(), lb: 'WeightRandom' },
      // Only 529 is retryable here: the OpenAI client would see 503, which must not decide.
      { name: 'only529', cluster: 'only529', endpoints: eps(), lb: 'WeightRandom', proxy: '{retry_on: [529]}' },
      { name: 'only503', cluster: 'only503', endpoints: eps(), lb: 'WeightRandom', proxy: '{retry_on: [503]}' },
    ]),
  );
  t.teardown(async () => {
    await gw.close();
    await claude.close();
    await gemini.close();
  });
  const body = readJson<Parameters<ReturnType<typeof openAiClient>['chat']['completions']['create']>[0]>('requests/openai.json');

  for (const status of [529, 503]) {
    const client = openAiClient(gw.url('fb'));
    const headers = { 'x-mock-status': String(status) };
    const unary = await client.chat.completions.create({ ...body, stream: false }, { headers }).withResponse();
    t.equal(unary.response.headers.get('x-dgp-attempts'), `claude=${status};gem=200`, `${status}: Anthropic tried, then Gemini`);
    t.equal(unary.data.object, 'chat.completion', `${status}: an OpenAI chat.completion`);
    t.equal(unary.data.choices[0]!.message.content, reply.text);
    t.same(unary.data.choices[0]!.message.tool_calls?.map((c) => c.type === 'function' && JSON.parse(c.function.arguments)), [{ city: 'Paris', days: 3 }, { city: 'Tokyo', days: 3 }]);
    t.equal(unary.data.choices[0]!.finish_reason, 'tool_calls');
    t.equal(unary.data.model, 'chat-default', `${status}: the model the client asked for`);

    const streamed = await client.chat.completions.create({ ...body, stream: true }, { headers }).withResponse();
    t.equal(streamed.response.headers.get('x-dgp-attempts'), `claude=${status};gem=200`, `${status} stream: fell back`);
    t.match(streamed.response.headers.get('content-type'), /^text\/event-stream/);
    let text = '';
    const objects = new Set<string>();
    let finish: string | null = null;
    for await (const chunk of streamed.data) {
      objects.add(chunk.object);
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    t.same([...objects], ['chat.completion.chunk'], `${status} stream: OpenAI chunks only`);
    t.equal(text, reply.text, `${status} stream: text`);
    t.equal(finish, 'tool_calls', `${status} stream: finish reason`);
  }
  t.equal(claude.requests.length, 4, 'each request tried Anthropic first (cooldown off)');
  t.same([...claude.rejections, ...gemini.rejections], [], 'both strict mocks accepted the translated requests');
  t.match(gemini.requests.map((r) => r.path), ['/v1beta/models/gemini-2.5-flash:generateContent', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', /generateContent/, /streamGenerateContent/]);

  const an = await anthropicClient(gw.url('fb')).messages.create({ model: 'claude-alias', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  t.equal(an.response.headers.get('x-dgp-attempts'), 'claude=529;gem=200', 'an Anthropic client falls back too');
  t.equal(an.data.type, 'message', 'and reads an Anthropic message');
  t.equal(an.data.model, 'claude-alias');

  const only529 = await openAiClient(gw.url('only529')).chat.completions.create({ ...body, stream: false }).withResponse();
  t.equal(only529.response.headers.get('x-dgp-attempts'), 'claude=529;gem=200', 'retry_on [529]: the upstream 529 is judged, not the 503 the client would see');
  const only503 = await openAiClient(gw.url('only503'))
    .chat.completions.create({ ...body, stream: false })
    .then(() => undefined, (err: unknown) => err as { status?: number; headers?: Headers });
  t.equal(only503?.status, 503, 'retry_on [503]: an upstream 529 is not retried; the client gets it as its 503');
  t.equal(only503?.headers?.get('x-dgp-attempts'), 'claude=529');
});
