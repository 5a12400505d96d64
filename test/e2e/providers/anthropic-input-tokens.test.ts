// A translated Anthropic stream carries the prompt's input tokens in message_start (LangChain's ChatAnthropic reads
// them only there): a local count when the upstream reports usage only at the end (OpenAI, and Gemini as its decoder
// hands usage on), then the upstream's exact figure in message_delta. Read by @anthropic-ai/sdk.
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { anthropicClient, gatewayYaml, startMock } from './helpers.js';

t.test('message_start input_tokens: a local count, corrected by message_delta', async (t) => {
  const openai = await startMock('openai', { text: 'hello there', usage: { input: 21, output: 2 } });
  const gemini = await startMock('gemini', { text: 'hello there', usage: { input: 17, output: 2 } });
  const gw = await startGateway(
    gatewayYaml([
      { name: 'oai', cluster: 'oai', endpoints: [{ id: 'gpt', provider: 'openai', port: openai.port }] },
      { name: 'gem', cluster: 'gem', endpoints: [{ id: 'gem', provider: 'gemini', port: gemini.port }] },
    ]),
  );
  t.teardown(async () => (await gw.close(), await Promise.all([openai.close(), gemini.close()])));

  const params = {
    model: 'claude-sonnet-4-5',
    max_tokens: 64,
    system: 'You are a terse assistant who answers in one short sentence.',
    messages: [{ role: 'user' as const, content: 'Please say hello to everyone reading this test, politely and briefly.' }],
  };
  for (const [name, upstreamInput] of [['oai', 21], ['gem', 17]] as const) {
    const stream = anthropicClient(gw.url(name)).messages.stream(params);
    let startInput: number | undefined;
    stream.on('streamEvent', (e) => {
      if (e.type === 'message_start') startInput = e.message.usage.input_tokens;
    });
    const final = await stream.finalMessage();
    t.equal(final.content[0]?.type === 'text' ? final.content[0].text : '', 'hello there', `${name}: the answer`);
    // 36 by OpenAI's chat rules (o200k_base) for this system prompt and message; not 0.
    t.equal(startInput, 36, `${name}: message_start carries the local count`);
    t.equal(final.usage.input_tokens, upstreamInput, `${name}: message_delta corrects it to the upstream's figure`);
  }
});
