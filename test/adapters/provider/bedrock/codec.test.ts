// The bedrock codec without a gateway: the event stream framing (split anywhere, CRCs checked), ConverseStream
// exceptions, Gemini and Anthropic clients translated to Converse, Bedrock errors in each client's shape, and SigV4
// signatures checked by the mock's independent verifier (credentials from settings or the AWS environment).
import t from 'tap';
import bedrock from '../../../../adapters/provider/bedrock/index.js';
import { createTranslation, detectOperation, type AttemptTranslation, type ProviderCodec, type WireApi } from '../../../../core/llm/index.js';
import { stubFactoryContext } from '../../../helpers/factory-context.js';
import { BAD_SIGNATURE_MESSAGE, eventMessage, verifySigV4 } from '../../../helpers/mock-providers/index.js';
import { clientPath, codec, recorder } from '../helpers.js';

const bedrockCodec = (config: Record<string, unknown> = {}): ProviderCodec => bedrock.create(config, stubFactoryContext({ kind: bedrock.kind })) as ProviderCodec;

function exchange(clientApi: WireApi, body: unknown, stream = false, options: Record<string, unknown> = {}): AttemptTranslation {
  let n = 0;
  const where = clientPath(clientApi, 'chat-default', stream);
  const b = clientApi !== 'gemini' && stream ? { ...(body as object), stream: true } : body;
  return createTranslation({
    clientApi,
    request: { operation: detectOperation(where.path)!.operation, method: 'POST', path: where.path, query: where.query, headers: {}, body: b },
    rawBody: Buffer.from(JSON.stringify(b)),
    endpoint: { llmMeta: { provider: 'bedrock', api_key: '', fallback: false, health_check_interval: 0, retry_policy: { name: 'NoRetry', config: {} }, model_map: { '*': 'amazon.nova-pro-v1:0' }, options } },
    clientCodec: codec(clientApi),
    providerCodec: bedrockCodec(),
    log: recorder(),
    newId: (prefix) => `${prefix}test${++n}`,
    now: () => 1700000000,
  });
}

const ev = (type: string, payload: object): Buffer => eventMessage({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, payload);
const FRAMES = [
  ev('messageStart', { role: 'assistant' }),
  ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' } }),
  ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'lo' } }),
  ev('contentBlockStop', { contentBlockIndex: 0 }),
  ev('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_A1', name: 'f' } } }),
  ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":' } } }),
  ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '1}' } } }),
  ev('contentBlockStop', { contentBlockIndex: 1 }),
  ev('messageStop', { stopReason: 'tool_use' }),
  ev('metadata', { usage: { inputTokens: 11, outputTokens: 4, totalTokens: 15 }, metrics: { latencyMs: 10 } }),
];
const STREAM = Buffer.concat(FRAMES);

const run = (ex: AttemptTranslation, pieces: Buffer[]): string => {
  const { translator } = ex.openStream(200, { 'content-type': 'application/vnd.amazon.eventstream' });
  return Buffer.concat([...pieces.map((p) => translator.feed(p)), translator.end()]).toString();
};
const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } };

t.test('event stream frames → OpenAI chunks, whatever the chunking', async (t) => {
  const whole = run(exchange('openai', body, true), [STREAM]);
  t.match(whole, /"content":"Hel"/);
  // OpenAI clients get call_-prefixed tool-call ids (docs/providers.md); the prefix comes off again on the way back.
  t.match(whole, /"tool_calls":\[\{"index":0,"id":"call_tooluse_A1","type":"function","function":\{"name":"f","arguments":""\}\}\]/);
  t.match(whole, /"finish_reason":"tool_calls"/);
  t.match(whole, /"usage":\{"prompt_tokens":11,"completion_tokens":4,"total_tokens":15/);
  t.match(whole, /data: \[DONE\]\n\n$/);
  for (const size of [1, 7, 100]) {
    const pieces: Buffer[] = [];
    for (let i = 0; i < STREAM.length; i += size) pieces.push(STREAM.subarray(i, i + size));
    t.equal(run(exchange('openai', body, true), pieces), whole, `split every ${size} bytes: same bytes out`);
  }
});

t.test('event stream frames → a Gemini client\'s SSE stream', async (t) => {
  const out = run(exchange('gemini', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, true), [STREAM]);
  const events = out.split('\r\n\r\n').filter((e) => e.startsWith('data: ')).map((e) => JSON.parse(e.slice(6)));
  t.same(events.flatMap((e) => e.candidates?.[0]?.content?.parts ?? []).filter((p: { text?: string }) => p.text).map((p: { text: string }) => p.text).join(''), 'Hello');
  t.match(events.flatMap((e) => e.candidates?.[0]?.content?.parts ?? []).find((p: { functionCall?: unknown }) => p.functionCall), { functionCall: { id: 'tooluse_A1', name: 'f', args: { a: 1 } } });
  t.match(events.at(-1), { usageMetadata: { promptTokenCount: 11, candidatesTokenCount: 4, totalTokenCount: 15 } });
});

t.test('a corrupt CRC or a cut stream ends in a client-shaped error', async (t) => {
  const bad = Buffer.from(STREAM);
  bad[bad.length - 30]! ^= 0xff;
  const out = run(exchange('openai', body, true), [bad]);
  t.match(out, /"content":"Hel"/, 'the frames before the damage went out');
  t.match(out, /data: \{"error":\{"message":"The bedrock response could not be translated: an event stream message CRC does not match/);
  t.notMatch(out, /\[DONE\]/);
  const stop = FRAMES[8]!;
  const cut = run(exchange('anthropic', { ...body, max_tokens: 5 }, true), [Buffer.concat([...FRAMES.slice(0, 8), stop.subarray(0, stop.length - 5)])]);
  t.match(cut, /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The provider stream ended before messageStop./);
});

t.test('a ConverseStream exception becomes the client API\'s error event', async (t) => {
  const exc = eventMessage({ ':exception-type': 'throttlingException', ':content-type': 'application/json', ':message-type': 'exception' }, { message: 'Slow down' });
  const frames = Buffer.concat([ev('messageStart', { role: 'assistant' }), ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }), exc]);
  t.match(run(exchange('anthropic', { ...body, max_tokens: 5 }, true), [frames]), /event: error\ndata: \{"type":"error","error":\{"type":"rate_limit_error","message":"Slow down"\}/);
  t.match(run(exchange('openai', body, true), [frames]), /"error":\{"message":"Slow down","type":"rate_limit_error"/);
});

t.test('a Gemini client is translated to Converse and back', async (t) => {
  const ex = exchange('gemini', {
    systemInstruction: { parts: [{ text: 'Be kind.' }] },
    contents: [
      { role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0=' } }] },
      { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'w', args: { city: 'Oslo' } } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'w', response: { t: 3 } } }] },
    ],
    tools: [{ functionDeclarations: [{ name: 'w', description: 'weather', parametersJsonSchema: { type: 'object' } }] }],
    generationConfig: { maxOutputTokens: 99, topP: 0.5, stopSequences: ['x'] },
  });
  t.equal(ex.request.path, '/model/amazon.nova-pro-v1%3A0/converse');
  const sent = JSON.parse(ex.request.body!.toString());
  t.same(sent.system, [{ text: 'Be kind.' }]);
  t.same(sent.inferenceConfig, { maxTokens: 99, topP: 0.5, stopSequences: ['x'] });
  t.same(sent.messages[0].content, [{ text: 'Weather?' }, { image: { format: 'png', source: { bytes: 'iVBORw0=' } } }]);
  t.same(sent.messages[1].content, [{ toolUse: { toolUseId: 'c1', name: 'w', input: { city: 'Oslo' } } }]);
  t.same(sent.messages[2].content[0].toolResult.toolUseId, 'c1');
  t.same(sent.toolConfig.tools, [{ toolSpec: { name: 'w', description: 'weather', inputSchema: { json: { type: 'object' } } } }]);
  const res = ex.translateBody(200, {}, Buffer.from(JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'Cold.' }] } }, stopReason: 'max_tokens', usage: { inputTokens: 5, outputTokens: 2, totalTokens: 9, cacheReadInputTokens: 2 } })));
  t.match(JSON.parse(res.body.toString()), { candidates: [{ content: { parts: [{ text: 'Cold.' }], role: 'model' }, finishReason: 'MAX_TOKENS' }], usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 2, totalTokenCount: 9, cachedContentTokenCount: 2 } });
});

t.test('structured output: response_format json_schema → outputConfig.textFormat; json_object refused', async (t) => {
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
  const sent = JSON.parse(exchange('openai', { ...body, response_format: { type: 'json_schema', json_schema: { name: 'place', schema } } }).request.body!.toString());
  t.same(sent.outputConfig, { textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'place' } } } });
  const fromAnthropic = JSON.parse(exchange('anthropic', { model: 'm', max_tokens: 9, messages: [{ role: 'user', content: 'x' }], output_config: { format: { type: 'json_schema', schema } } }).request.body!.toString());
  t.same(JSON.parse(fromAnthropic.outputConfig.textFormat.structure.jsonSchema.schema), schema, "an Anthropic client's output_config.format too");
  t.throws(() => exchange('openai', { ...body, response_format: { type: 'json_object' } }), { code: 'DGP_ERR_PROVIDER_UNTRANSLATABLE', message: /needs a JSON schema/ });
});

t.test('llm_meta.options: settings stay out of the body, other keys merge into it', async (t) => {
  const ex = exchange('openai', body, false, { region: 'us-east-1', secret_access_key: 's', additionalModelRequestFields: { top_k: 40 }, performanceConfig: { latency: 'optimized' } });
  const sent = JSON.parse(ex.request.body!.toString());
  t.same(sent.additionalModelRequestFields, { top_k: 40 });
  t.same(sent.performanceConfig, { latency: 'optimized' });
  t.notOk('region' in sent || 'secret_access_key' in sent, 'credentials and region are settings, never body fields');
  t.equal(ex.context.settings.region, 'us-east-1');
});

t.test('what Converse cannot express is refused with a 400', async (t) => {
  t.throws(() => exchange('openai', { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }), { code: 'DGP_ERR_PROVIDER_UNTRANSLATABLE', message: /base64 data URL/ });
  t.throws(() => exchange('openai', { model: 'm', n: 2, messages: [{ role: 'user', content: 'x' }] }), { code: 'DGP_ERR_PROVIDER_UNTRANSLATABLE' });
});

t.test('Bedrock errors in each client API\'s shape', async (t) => {
  const err = (type: string, status: number, message = 'm') =>
    [exchange('openai', body), exchange('anthropic', { ...body, max_tokens: 5 }), exchange('gemini', { contents: [{ role: 'user', parts: [{ text: 'x' }] }] })].map((ex) => {
      const r = ex.translateBody(status, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` }, Buffer.from(JSON.stringify({ message })));
      return [r.status, JSON.parse(r.body.toString())];
    });
  t.match(err('ValidationException', 400), [[400, { error: { type: 'invalid_request_error', message: 'm' } }], [400, { error: { type: 'invalid_request_error' } }], [400, { error: { status: 'INVALID_ARGUMENT' } }]]);
  t.match(err('ThrottlingException', 429), [[429, { error: { type: 'rate_limit_error' } }], [429, { error: { type: 'rate_limit_error' } }], [429, { error: { status: 'RESOURCE_EXHAUSTED' } }]]);
  t.match(err('InvalidSignatureException', 403, BAD_SIGNATURE_MESSAGE), [[401, { error: { message: BAD_SIGNATURE_MESSAGE } }], [401, { error: { type: 'authentication_error' } }], [401, { error: { status: 'UNAUTHENTICATED' } }]]);
  t.match(err('AccessDeniedException', 403), [[403, {}], [403, { error: { type: 'permission_error' } }], [403, { error: { status: 'PERMISSION_DENIED' } }]]);
  t.match(err('ServiceUnavailableException', 503), [[503, {}], [529, { error: { type: 'overloaded_error' } }], [503, { error: { status: 'UNAVAILABLE' } }]]);
  t.match(err('ModelNotReadyException', 429), [[503, { error: { code: 'ModelNotReadyException' } }], [529, { error: { type: 'overloaded_error' } }], [503, { error: { status: 'UNAVAILABLE' } }]]);
});

t.test('SigV4: signed by the codec, verified independently by the mock', async (t) => {
  const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/key+1', sessionToken: 'tok=en' };
  const upstream = bedrockCodec().upstream;
  const payload = Buffer.from('{"messages":[{"role":"user","content":[{"text":"hi"}]}]}');
  const path = '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream';
  const settings = { region: 'us-west-2', access_key_id: creds.accessKeyId, secret_access_key: creds.secretAccessKey, session_token: creds.sessionToken, signing_name: 'bedrock' };
  const headers = await upstream.sign!({ method: 'POST', origin: 'https://bedrock-runtime.us-west-2.amazonaws.com', path, headers: { 'content-type': 'application/json', accept: 'application/vnd.amazon.eventstream' }, body: payload }, settings);
  t.same(Object.keys(headers).sort(), ['authorization', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token']);
  const received = (raw: Buffer) => ({ method: 'POST', path, query: new URLSearchParams(), raw, body: undefined, headers: { host: 'bedrock-runtime.us-west-2.amazonaws.com', 'content-type': 'application/json', accept: 'application/vnd.amazon.eventstream', 'user-agent': 'added-after-signing', ...headers } });
  t.equal(verifySigV4(received(payload), path, creds, 'us-west-2'), undefined, 'the signature verifies');
  t.match(verifySigV4({ ...received(payload), headers: { ...received(payload).headers, 'x-amz-content-sha256': undefined as unknown as string } }, path, creds, 'us-west-2'), { status: 403, body: { message: BAD_SIGNATURE_MESSAGE } }, 'a signed header removed: refused');
  t.match(verifySigV4(received(payload), path, { ...creds, secretAccessKey: 'other' }, 'us-west-2'), { status: 403, body: { message: BAD_SIGNATURE_MESSAGE } }, 'another secret: refused');
  t.match(verifySigV4(received(payload), path, creds, 'eu-west-1'), { status: 403 }, 'another region: refused');

  // Environment credentials; the region from the host name.
  const saved = { ...process.env };
  const vars = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_BEARER_TOKEN_BEDROCK'];
  t.teardown(() => {
    for (const k of vars) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
  });
  for (const k of vars) delete process.env[k];
  const req = { method: 'POST', origin: 'https://bedrock-runtime.ap-south-1.amazonaws.com', path, headers: { 'content-type': 'application/json' }, body: payload };
  await t.rejects(upstream.sign!(req, { signing_name: 'bedrock' }), { code: 'DGP_ERR_BEDROCK_CREDENTIALS', message: /No AWS credentials/ });
  process.env.AWS_BEARER_TOKEN_BEDROCK = 'bedrock-api-key';
  t.same(await upstream.sign!(req, { signing_name: 'bedrock' }), { authorization: 'Bearer bedrock-api-key' }, 'no access keys: the Bedrock API key from the environment');
  process.env.AWS_ACCESS_KEY_ID = creds.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = creds.secretAccessKey;
  const fromEnv = await upstream.sign!(req, { signing_name: 'bedrock' });
  t.match(fromEnv.authorization, /Credential=AKIDEXAMPLE\/\d{8}\/ap-south-1\/bedrock\/aws4_request/, 'region from the bedrock-runtime host');
  t.equal(fromEnv['x-amz-security-token'], undefined, 'no session token in the environment: none sent');
  t.match(fromEnv.authorization, /^AWS4-HMAC-SHA256 /, 'access keys win over an API key');
  await t.rejects(upstream.sign!({ ...req, origin: 'http://127.0.0.1:1' }, { signing_name: 'bedrock' }), { code: 'DGP_ERR_BEDROCK_CREDENTIALS', message: /No AWS region/ });
});
