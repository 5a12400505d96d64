// Amazon Bedrock (Converse API) through the REAL gateway, with the official `openai` and `@anthropic-ai/sdk` clients.
// The mock recomputes every SigV4 signature independently (node:crypto HMACs) and answers ConverseStream as a binary
// event stream with real CRCs; a wrong secret gets Bedrock's own 403 InvalidSignatureException body.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { BAD_SIGNATURE_MESSAGE, startMockBedrock, type MockReply } from '../../helpers/mock-providers/index.js';
import { accessLines, anthropicClient, gatewayYaml, metricValue, openAiClient, type EndpointConf } from './helpers.js';

const REGION = 'eu-west-3';
const CREDS = { accessKeyId: 'AKIAMOCKEXAMPLE0001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYMOCKEXAMPLE', sessionToken: 'FwoGZXIvYXdzEMOCK//token+with/slashes=' };
const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const weatherTool = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

const textReply: MockReply = { text: 'Bonjour from Bedrock', usage: { input: 21, output: 7 } };
const toolReply: MockReply = { text: 'Checking.', toolCalls: [{ name: 'get_weather', args: { city: 'Paris' } }, { name: 'get_weather', args: { city: 'Lyon' } }], usage: { input: 40, output: 12, cached: 8 } };

const options = (secret: string): Record<string, unknown> => ({
  model_map: { '*': MODEL },
  options: { region: REGION, access_key_id: CREDS.accessKeyId, secret_access_key: secret, session_token: CREDS.sessionToken },
});

t.test('Bedrock Converse through the gateway: signed, translated, streamed, metered', async (t) => {
  const bedrock = await startMockBedrock({ apiKey: 'ABSKQmVkcm9ja0FQSUtleS1tock', reply: (req) => (JSON.stringify(req.body).includes('toolSpec') && !JSON.stringify(req.body).includes('toolResult') ? toolReply : textReply), credentials: CREDS, region: REGION });
  const throttled = await startMockBedrock({
    reply: { error: { status: 429, headers: { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' }, body: { message: 'Too many requests, please wait before trying again.' } } },
    credentials: CREDS,
    region: REGION,
  });
  const flaky = await startMockBedrock({ reply: textReply, credentials: CREDS, region: REGION, streamException: { type: 'throttlingException', message: 'Too many tokens, please wait before trying again.', first: true } });
  const stalled = await startMockBedrock({ reply: { ...textReply, stallAfter: 2 }, credentials: CREDS, region: REGION });
  const broken = await startMockBedrock({ reply: textReply, credentials: CREDS, region: REGION, streamException: { type: 'modelStreamErrorException', message: 'The model stream failed.' } });
  const ep = (id: string, port: number, secret = CREDS.secretAccessKey, more: Partial<EndpointConf> = {}): EndpointConf => ({ id, provider: 'bedrock', port, extra: options(secret), ...more });
  const gw = await startGateway(
    gatewayYaml([
      { name: 'br', cluster: 'br', endpoints: [ep('br1', bedrock.port)] },
      { name: 'bad', cluster: 'bad', endpoints: [ep('badsig', bedrock.port, 'not-the-secret')] },
      {
        name: 'fb',
        cluster: 'fb',
        lb: 'WeightRandom',
        endpoints: [ep('slow', throttled.port, CREDS.secretAccessKey, { fallback: true, meta: { weight: '1' } }), ep('fast', bedrock.port, CREDS.secretAccessKey, { meta: { weight: '0' } })],
      },
      { name: 'thr', cluster: 'thr', endpoints: [ep('only', throttled.port)] },
      {
        name: 'sx',
        cluster: 'sx',
        lb: 'WeightRandom',
        endpoints: [ep('flaky', flaky.port, CREDS.secretAccessKey, { fallback: true, meta: { weight: '1' } }), ep('fast', bedrock.port, CREDS.secretAccessKey, { meta: { weight: '0' } })],
      },
      { name: 'broken', cluster: 'broken', endpoints: [ep('broken', broken.port)] },
      { name: 'stall', cluster: 'stall', endpoints: [ep('stall', stalled.port)], proxy: '{idle_timeout: 300ms}' },
      { name: 'apikey', cluster: 'apikey', endpoints: [{ id: 'apikey', provider: 'bedrock', port: bedrock.port, extra: { model_map: { '*': MODEL }, options: { region: REGION, bearer_token: 'ABSKQmVkcm9ja0FQSUtleS1tock' } } }] },
      { name: 'nokeys', cluster: 'nokeys', endpoints: [{ id: 'nokeys', provider: 'bedrock', port: bedrock.port, extra: { model_map: { '*': MODEL }, options: { region: REGION } } }] },
    ]),
  );
  t.teardown(async () => {
    await gw.close();
    await bedrock.close();
    await throttled.close();
    await flaky.close();
    await broken.close();
    await stalled.close();
  });
  const openai = openAiClient(gw.url('br'));

  await t.test('openai unary: Converse request, signed; answer as chat.completion', async (t) => {
    const res = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], max_tokens: 50, temperature: 0.3, stop: ['END'] });
    t.equal(res.object, 'chat.completion');
    t.equal(res.choices[0]!.message.content, textReply.text);
    t.equal(res.choices[0]!.finish_reason, 'stop');
    t.equal(res.model, 'gpt-4o', 'the model the client asked for');
    t.match(res.usage, { prompt_tokens: 21, completion_tokens: 7, total_tokens: 28 });
    const req = bedrock.requests.at(-1)!;
    t.equal(req.path, `/model/${encodeURIComponent(MODEL)}/converse`, 'the mapped model id, percent-encoded in the path');
    t.same(req.body, { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], system: [{ text: 'Be brief.' }], inferenceConfig: { maxTokens: 50, temperature: 0.3, stopSequences: ['END'] } });
    t.match(String(req.headers.authorization), new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDS.accessKeyId}/\\d{8}/${REGION}/bedrock/aws4_request, SignedHeaders=[^,]*x-amz-security-token`));
    t.equal(req.headers['x-amz-security-token'], CREDS.sessionToken);
    t.notMatch(JSON.stringify(req.headers), /client-key/, "the client's key never goes upstream");
    t.same(bedrock.rejections, [], 'the mock verified the signature and the Converse shape');
  });

  await t.test('openai stream: event-stream frames become chat.completion.chunk SSE with usage', async (t) => {
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } }).withResponse();
    t.match(stream.response.headers.get('content-type'), /^text\/event-stream/);
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream.data) {
      text += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    t.equal(text, textReply.text);
    t.equal(finish, 'stop');
    t.match(usage, { prompt_tokens: 21, completion_tokens: 7, total_tokens: 28 });
    t.equal(bedrock.requests.at(-1)!.path, `/model/${encodeURIComponent(MODEL)}/converse-stream`);
    t.same(bedrock.rejections, []);
  });

  await t.test('openai tool calls, unary and streamed, and the tool results sent back', async (t) => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris and Lyon?' }];
    const res = await openai.chat.completions.create({ model: 'gpt-4o', messages, tools: [weatherTool], tool_choice: 'required' });
    const calls = res.choices[0]!.message.tool_calls ?? [];
    t.equal(res.choices[0]!.finish_reason, 'tool_calls');
    // Translated tool-call ids carry the OpenAI prefix; the history sent back keeps them consistent with the upstream.
    t.same(calls.map((c) => c.type === 'function' && [c.id, c.function.name, JSON.parse(c.function.arguments)]), [['call_tooluse_mock0abcdef', 'get_weather', { city: 'Paris' }], ['call_tooluse_mock1abcdef', 'get_weather', { city: 'Lyon' }]]);
    t.match(res.usage, { prompt_tokens: 40, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 8 } });
    t.match(bedrock.requests.at(-1)!.body, { toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: weatherTool.function.parameters } } }], toolChoice: { any: {} } } });

    const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages, tools: [weatherTool], stream: true });
    const args = new Map<number, { id?: string; name?: string; args: string }>();
    let finish: string | null = null;
    for await (const c of stream) {
      for (const d of c.choices[0]?.delta.tool_calls ?? []) {
        const cur = args.get(d.index) ?? { args: '' };
        if (d.id) cur.id = d.id;
        if (d.function?.name) cur.name = d.function.name;
        cur.args += d.function?.arguments ?? '';
        args.set(d.index, cur);
      }
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    t.same([...args.values()].map((a) => [a.id, a.name, JSON.parse(a.args)]), [['call_tooluse_mock0abcdef', 'get_weather', { city: 'Paris' }], ['call_tooluse_mock1abcdef', 'get_weather', { city: 'Lyon' }]]);
    t.equal(finish, 'tool_calls');

    const followUp = await openai.chat.completions.create({
      model: 'gpt-4o',
      tools: [weatherTool],
      messages: [...messages, res.choices[0]!.message, ...calls.map((c) => ({ role: 'tool' as const, tool_call_id: c.id, content: '18°C' }))],
    });
    t.equal(followUp.choices[0]!.message.content, textReply.text);
    const turns = (bedrock.requests.at(-1)!.body as { messages: Array<{ role: string; content: unknown[] }> }).messages;
    t.same(turns.map((m) => m.role), ['user', 'assistant', 'user'], 'both tool results share one user turn');
    t.same(turns[2]!.content, calls.map((c) => ({ toolResult: { toolUseId: c.id, content: [{ text: '18°C' }] } })));
    t.same(bedrock.rejections, []);
  });

  await t.test('anthropic client stream to Bedrock', async (t) => {
    const stream = anthropicClient(gw.url('br')).messages.stream({ model: 'claude-alias', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
    const msg = await stream.finalMessage();
    t.equal(msg.model, 'claude-alias');
    t.equal(msg.content.length, 1, 'one block');
    t.match(msg.content[0], { type: 'text', text: textReply.text });
    t.equal(msg.stop_reason, 'end_turn');
    t.match(msg.usage, { input_tokens: 21, output_tokens: 7 });
    t.match(bedrock.requests.at(-1)!.body, { system: [{ text: 'Be brief.' }], inferenceConfig: { maxTokens: 64 } });
    t.same(bedrock.rejections, []);
  });

  await t.test('structured output from an openai client (response_format json_schema → outputConfig)', async (t) => {
    const schema = { type: 'object', properties: { greeting: { type: 'string' } }, required: ['greeting'], additionalProperties: false };
    const res = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], response_format: { type: 'json_schema', json_schema: { name: 'greeting', schema, strict: true } } });
    t.equal(res.choices[0]!.message.content, textReply.text, 'the model text comes back as the content');
    t.same(JSON.parse((bedrock.requests.at(-1)!.body as { outputConfig: { textFormat: { structure: { jsonSchema: { schema: string } } } } }).outputConfig.textFormat.structure.jsonSchema.schema), schema);
    t.same(bedrock.rejections, []);
  });

  await t.test('openai responses API to Bedrock', async (t) => {
    const res = await openai.responses.create({ model: 'gpt-4o', instructions: 'Be brief.', input: 'Hi', max_output_tokens: 40 });
    t.equal(res.output_text, textReply.text);
    t.match(res.usage, { input_tokens: 21, output_tokens: 7 });
    t.match(bedrock.requests.at(-1)!.body, { system: [{ text: 'Be brief.' }], messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 40 } });
    t.same(bedrock.rejections, []);
  });

  await t.test('usage reaches the token metrics and the access log', async (t) => {
    const labels = { cluster: 'br', source: 'upstream' };
    // Text answers (21/7): unary, stream, tool follow-up, Anthropic stream, structured, Responses; tool answers (40/12).
    t.equal(await metricValue(gw, 'dgp_llm_tokens_total', { ...labels, direction: 'prompt' }), 6 * 21 + 2 * 40, 'prompt tokens, counted once per request');
    t.equal(await metricValue(gw, 'dgp_llm_tokens_total', { ...labels, direction: 'completion' }), 6 * 7 + 2 * 12, 'completion tokens');
    t.equal(await metricValue(gw, 'dgp_llm_tokens_total', { ...labels, direction: 'cached' }), 2 * 8, 'cache reads');
    t.match(accessLines(gw).at(-1), { status: 200, prompt_tokens: 21, completion_tokens: 7, usage_source: 'upstream' });
  });

  await t.test('a bad signature: Bedrock 403 InvalidSignatureException → the SDKs\' authentication errors', async (t) => {
    const err = await openAiClient(gw.url('bad')).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    t.type(err, OpenAI.AuthenticationError, 'openai: AuthenticationError');
    t.match((err as Error).message, 'The request signature we calculated does not match');
    const anth = await anthropicClient(gw.url('bad')).messages.create({ model: 'x', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    t.type(anth, Anthropic.AuthenticationError, 'anthropic: AuthenticationError');
    const rejected = bedrock.rejections.map((r) => r.rejection);
    t.equal(rejected.length, 2, 'the mock rejected both');
    t.same(rejected.map((r) => [r.status, r.body]), [[403, { message: BAD_SIGNATURE_MESSAGE }], [403, { message: BAD_SIGNATURE_MESSAGE }]]);
    t.notMatch(JSON.stringify(gw.logs), /not-the-secret|wJalrXUtnFEMI/, 'no secret access key in any log line');
    const config = await (await fetch(`${gw.adminUrl}/config`)).text();
    t.match(config, CREDS.accessKeyId, 'GET /config shows the access key id');
    t.notMatch(config, /not-the-secret|wJalrXUtnFEMI|FwoGZXIvYXdzEMOCK/, 'but neither the secret access key nor the session token');
    bedrock.rejections.length = 0;
  });

  await t.test('ThrottlingException: falls back like any 429, and without a fallback is a RateLimitError', async (t) => {
    const res = await openAiClient(gw.url('fb')).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    t.equal(res.response.headers.get('x-dgp-attempts'), 'slow=429;fast=200', 'the throttled endpoint was tried, then the other');
    t.equal(res.data.choices[0]!.message.content, textReply.text);
    const s = await openAiClient(gw.url('fb')).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true }).withResponse();
    t.equal(s.response.headers.get('x-dgp-attempts'), 'slow=429;fast=200', 'a stream falls back too');
    let text = '';
    for await (const c of s.data) text += c.choices[0]?.delta.content ?? '';
    t.equal(text, textReply.text);

    const err = await openAiClient(gw.url('thr')).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    t.type(err, OpenAI.RateLimitError, 'openai: RateLimitError');
    t.match((err as Error).message, 'Too many requests');
    const anth = await anthropicClient(gw.url('thr')).messages.create({ model: 'x', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    t.type(anth, Anthropic.RateLimitError, 'anthropic: RateLimitError');
    t.same(throttled.rejections, [], 'every throttled request was properly signed');
  });

  await t.test('stream exceptions: before any content → stream_error fallback; after content → the client\'s error event', async (t) => {
    const s = await openAiClient(gw.url('sx')).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true }).withResponse();
    t.equal(s.response.headers.get('x-dgp-attempts'), 'flaky=stream_error;fast=200', 'a throttlingException in a 200 stream is a retryable stream_error');
    let text = '';
    for await (const c of s.data) text += c.choices[0]?.delta.content ?? '';
    t.equal(text, textReply.text);

    let got = '';
    const err = await (async () => {
      const stream = await openAiClient(gw.url('broken')).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true });
      for await (const c of stream) got += c.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    t.equal(got, textReply.text, 'the text before the exception reached the client');
    t.type(err, OpenAI.APIError, 'openai: the error event raises APIError mid-stream');
    t.match((err as Error).message, 'The model stream failed.');
    const anth = await anthropicClient(gw.url('broken')).messages.stream({ model: 'x', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage().catch((e: unknown) => e);
    t.type(anth, Anthropic.APIError, 'anthropic: APIError from the error event');
    t.match((anth as Error).message, 'The model stream failed.');
  });

  await t.test('a Bedrock API key (bearer_token) instead of SigV4', async (t) => {
    const res = await openAiClient(gw.url('apikey')).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    t.equal(res.choices[0]!.message.content, textReply.text);
    const sent = bedrock.requests.at(-1)!.headers;
    t.equal(sent.authorization, 'Bearer ABSKQmVkcm9ja0FQSUtleS1tock', 'the API key as a Bearer token');
    t.equal(sent['x-amz-date'], undefined, 'no signature headers');
    t.notMatch(await (await fetch(`${gw.adminUrl}/config`)).text(), /ABSKQmVkcm9ja0FQSUtleS1tock/, 'redacted in GET /config');
    t.same(bedrock.rejections, []);
  });

  await t.test('an event stream that stalls mid-answer: idle_timeout ends it with the client\'s error event', async (t) => {
    let got = '';
    const err = await (async () => {
      const stream = await openAiClient(gw.url('stall')).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true });
      for await (const c of stream) got += c.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    t.equal(got, 'Bonjour fr', 'the first delta went out before the stall');
    t.type(err, OpenAI.APIError, 'then an error event');
    t.match((err as Error).message, /idle_timeout/);
  });

  await t.test('no AWS credentials anywhere: a clear error in the client\'s shape, nothing sent', async (t) => {
    const keys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_BEARER_TOKEN_BEDROCK'] as const;
    const saved = keys.map((k) => process.env[k]);
    for (const k of keys) delete process.env[k];
    t.teardown(() => keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i]))));
    const before = bedrock.requests.length;
    const err = await openAiClient(gw.url('nokeys')).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    t.type(err, OpenAI.InternalServerError, 'openai: InternalServerError (500)');
    t.match((err as Error).message, /No AWS credentials for the bedrock endpoint/);
    t.equal(bedrock.requests.length, before, 'no unsigned request went upstream');
  });
});
