// Structured output across APIs: OpenAI response_format (Chat) and text.format (Responses), Anthropic
// output_config.format, Gemini responseMimeType + responseJsonSchema, each reaching the upstream in its own form. What
// an upstream cannot express (OpenAI's schema-less json_object on Anthropic) is a 400 naming the field.
import OpenAI from 'openai';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { anthropicClient, gatewayYaml, openAiClient, startMock } from './helpers.js';

const SCHEMA = { type: 'object', properties: { city: { type: 'string' }, temp: { type: 'number' } }, required: ['city', 'temp'], additionalProperties: false };
const JSON_TEXT = '{"city":"Paris","temp":21}';

t.test('structured output translates both ways', async (t) => {
  const openai = await startMock('openai', { text: JSON_TEXT });
  const anthropic = await startMock('anthropic', { text: JSON_TEXT });
  const gemini = await startMock('gemini', { text: JSON_TEXT });
  const gw = await startGateway(
    gatewayYaml([
      { name: 'oai', cluster: 'oai', endpoints: [{ id: 'oai', provider: 'openai', port: openai.port }] },
      { name: 'ant', cluster: 'ant', endpoints: [{ id: 'ant', provider: 'anthropic', port: anthropic.port }] },
      { name: 'gem', cluster: 'gem', endpoints: [{ id: 'gem', provider: 'gemini', port: gemini.port }] },
    ]),
  );
  t.teardown(async () => (await gw.close(), await Promise.all([openai.close(), anthropic.close(), gemini.close()])));
  const lastBody = (m: { requests: Array<{ body: unknown }> }) => m.requests.at(-1)?.body as Record<string, unknown>;

  // OpenAI Chat response_format json_schema → Anthropic output_config.format.
  const chat = await openAiClient(gw.url('ant')).chat.completions.create({
    model: 'claude-x',
    messages: [{ role: 'user', content: 'Weather in Paris as JSON' }],
    response_format: { type: 'json_schema', json_schema: { name: 'weather', strict: true, schema: SCHEMA } },
  });
  t.same(JSON.parse(chat.choices[0]?.message.content ?? ''), { city: 'Paris', temp: 21 });
  t.same(lastBody(anthropic).output_config, { format: { type: 'json_schema', schema: SCHEMA } }, 'Anthropic gets output_config.format');

  // Responses text.format json_schema → Anthropic output_config.format.
  const res = await openAiClient(gw.url('ant')).responses.create({ model: 'claude-x', input: 'Weather in Paris', text: { format: { type: 'json_schema', name: 'weather', schema: SCHEMA, strict: true } } });
  t.same(JSON.parse(res.output_text), { city: 'Paris', temp: 21 });
  t.same(lastBody(anthropic).output_config, { format: { type: 'json_schema', schema: SCHEMA } }, 'Responses text.format reaches Anthropic');

  // json_object has no schema, and Anthropic constrains output only to one: a 400 naming the field.
  const err = await openAiClient(gw.url('ant')).chat.completions.create({ model: 'claude-x', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } }).catch((e: unknown) => e);
  t.ok(err instanceof OpenAI.BadRequestError, 'json_object to Anthropic: a BadRequestError');
  t.match((err as Error).message, /response_format.*json_schema/);

  // Anthropic output_config.format → OpenAI response_format and Gemini responseMimeType + responseJsonSchema.
  const params = { model: 'm', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Weather in Paris as JSON' }], output_config: { format: { type: 'json_schema', schema: SCHEMA } } };
  const viaOpenAi = await anthropicClient(gw.url('oai')).messages.create(params as never);
  t.same(JSON.parse(viaOpenAi.content[0]?.type === 'text' ? viaOpenAi.content[0].text : ''), { city: 'Paris', temp: 21 });
  t.same(lastBody(openai).response_format, { type: 'json_schema', json_schema: { name: 'response', schema: SCHEMA, strict: true } }, 'OpenAI gets response_format');
  await anthropicClient(gw.url('gem')).messages.create(params as never);
  const gen = lastBody(gemini).generationConfig as Record<string, unknown>;
  t.equal(gen.responseMimeType, 'application/json', 'Gemini gets responseMimeType');
  t.same(gen.responseJsonSchema, SCHEMA, 'and responseJsonSchema');
  const bad = await anthropicClient(gw.url('oai')).messages.create({ ...params, output_config: { format: { type: 'xml' } } } as never).catch((e: unknown) => e);
  t.equal((bad as { status?: number }).status, 400, 'a bad output_config.format is a 400 for the Anthropic client');

  // Gemini responseMimeType + responseJsonSchema → Anthropic output_config.format.
  const r = await fetch(`${gw.url('ant')}/v1beta/models/claude-x:generateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'client-key' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Weather in Paris' }] }], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: SCHEMA } }),
  });
  t.equal(r.status, 200);
  const g = (await r.json()) as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> };
  t.same(JSON.parse(g.candidates[0]?.content.parts[0]?.text ?? ''), { city: 'Paris', temp: 21 });
  t.same(lastBody(anthropic).output_config, { format: { type: 'json_schema', schema: SCHEMA } }, 'Gemini responseJsonSchema reaches Anthropic');
  t.equal(openai.rejections.length + anthropic.rejections.length + gemini.rejections.length, 0, 'no upstream rejected a translated request');
});
