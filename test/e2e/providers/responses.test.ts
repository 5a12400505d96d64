// OpenAI's Responses API (`client.responses.create`, unary and streamed, with function tools) through the gateway to
// Anthropic and Gemini upstreams (translated through the Chat pivot), and passed through to an OpenAI upstream with
// model_map applied. Read by the official `openai` client.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { gatewayYaml, openAiClient, startMock } from './helpers.js';

const TOOL = { type: 'function' as const, name: 'get_forecast', description: 'Weather forecast', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

t.test('responses.create to Anthropic and Gemini: unary, streamed, tools', async (t) => {
  const script = (req: { body: unknown }) => {
    const s = JSON.stringify(req.body);
    if (s.includes('forecast?') && !s.includes('temp')) return { toolCalls: [{ id: 'toolu_01', name: 'get_forecast', args: { city: 'Paris' } }], usage: { input: 30, output: 8 } };
    return { text: 'hello there', usage: { input: 12, output: 2 } };
  };
  const anthropic = await startMock('anthropic', script);
  const gemini = await startMock('gemini', script);
  const gw = await startGateway(
    gatewayYaml([
      { name: 'ant', cluster: 'ant', endpoints: [{ id: 'ant', provider: 'anthropic', port: anthropic.port }] },
      { name: 'gem', cluster: 'gem', endpoints: [{ id: 'gem', provider: 'gemini', port: gemini.port }] },
    ]),
  );
  t.teardown(async () => (await gw.close(), await Promise.all([anthropic.close(), gemini.close()])));

  for (const [name, mock] of [['ant', anthropic], ['gem', gemini]] as const) {
    const client = openAiClient(gw.url(name));
    const res = await client.responses.create({ model: 'my-model', instructions: 'Be terse.', input: 'Say hello', max_output_tokens: 50 });
    t.equal(res.object, 'response', `${name}: a response object`);
    t.match(res.id, /^resp_/, `${name}: a resp_ id`);
    t.equal(res.status, 'completed');
    t.equal(res.model, 'my-model');
    t.equal(res.output_text, 'hello there', `${name}: output_text`);
    t.same(res.usage && { i: res.usage.input_tokens, o: res.usage.output_tokens, total: res.usage.total_tokens }, { i: 12, o: 2, total: 14 }, `${name}: usage`);
    const sent = mock.requests.at(-1)?.body as Record<string, unknown>;
    if (name === 'ant') {
      t.equal(sent.system, 'Be terse.', 'instructions become the Anthropic system prompt');
      t.equal(sent.max_tokens, 50, 'max_output_tokens becomes max_tokens');
    } else {
      t.match(JSON.stringify(sent.systemInstruction), 'Be terse.', 'instructions become the Gemini systemInstruction');
      t.equal((sent.generationConfig as Record<string, unknown>).maxOutputTokens, 50);
    }

    // Streamed: the typed events in order, ending with response.completed and its usage.
    const stream = await client.responses.create({ model: 'my-model', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] }], stream: true });
    const types: string[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') completed = ev.response;
    }
    t.equal(text, 'hello there', `${name}: streamed deltas`);
    t.same(
      types.filter((x, i) => x !== types[i - 1]),
      ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed'],
      `${name}: the event sequence`,
    );
    t.equal(completed?.output_text ?? (completed?.output[0] as { content: Array<{ text: string }> } | undefined)?.content[0]?.text, 'hello there');
    t.equal(completed?.usage?.output_tokens, 2, `${name}: usage in response.completed`);
    const final = await client.responses.stream({ model: 'my-model', input: 'Say hello' }).finalResponse();
    t.equal(final.output_text, 'hello there', `${name}: responses.stream().finalResponse()`);

    // Tools: a function_call item out, then its output sent back as function_call_output.
    const call = await client.responses.create({ model: 'my-model', input: 'forecast? for Paris', tools: [TOOL] });
    const fc = call.output.find((o) => o.type === 'function_call');
    t.ok(fc && fc.type === 'function_call' && fc.name === 'get_forecast' && JSON.parse(fc.arguments).city === 'Paris', `${name}: a function_call item`);
    const streamed = await client.responses.stream({ model: 'my-model', input: 'forecast? for Paris', tools: [TOOL] }).finalResponse();
    const sfc = streamed.output.find((o) => o.type === 'function_call');
    t.ok(sfc && sfc.type === 'function_call' && JSON.parse(sfc.arguments).city === 'Paris', `${name}: a streamed function_call item`);
    if (fc?.type !== 'function_call') continue;
    const back = await client.responses.create({
      model: 'my-model',
      tools: [TOOL],
      input: [{ role: 'user', content: 'forecast? for Paris' }, fc, { type: 'function_call_output', call_id: fc.call_id, output: '{"temp":21}' }],
    });
    t.equal(back.output_text, 'hello there', `${name}: the answer after the tool result`);
    t.match(JSON.stringify(mock.requests.at(-1)?.body), /temp\W+21/, `${name}: the tool result reached the upstream`);
  }

  // previous_response_id needs OpenAI's server-side state: a 400 in OpenAI's error shape.
  const err = await openAiClient(gw.url('ant')).responses.create({ model: 'm', input: 'x', previous_response_id: 'resp_123' }).catch((e: unknown) => e);
  t.ok(err instanceof OpenAI.BadRequestError, 'a BadRequestError');
  t.match((err as Error).message, /previous_response_id/);
  t.equal(anthropic.rejections.length + gemini.rejections.length, 0, 'no upstream rejected a translated request');
});

t.test('responses.create to an OpenAI upstream: passed through with model_map', async (t) => {
  const seen: Array<{ path: string; body: Record<string, unknown>; auth: string | undefined }> = [];
  const up = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      seen.push({ path: req.url ?? '', body, auth: req.headers.authorization });
      if (body.stream === true) {
        const resp = { id: 'resp_up', object: 'response', created_at: 1, status: 'in_progress', model: body.model, output: [] };
        const done = { ...resp, status: 'completed', output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'streamed', annotations: [] }] }], usage: { input_tokens: 3, output_tokens: 1, total_tokens: 4 } };
        const ev = (e: Record<string, unknown>) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(ev({ type: 'response.created', sequence_number: 0, response: resp }) + ev({ type: 'response.output_text.delta', sequence_number: 1, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'streamed' }) + ev({ type: 'response.completed', sequence_number: 2, response: done }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'resp_up', object: 'response', created_at: 1, status: 'completed', model: body.model, output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'from openai', annotations: [] }] }], usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } } }));
    });
  });
  await new Promise<void>((r) => up.listen(0, '127.0.0.1', r));
  const port = (up.address() as AddressInfo).port;
  const gw = await startGateway(gatewayYaml([{ name: 'oai', cluster: 'oai', endpoints: [{ id: 'oai', provider: 'openai', port, extra: { model_map: { 'my-model': 'gpt-4.1' }, options: { temperature: 0.1 } } }] }]));
  t.teardown(async () => (await gw.close(), await new Promise((r) => up.close(r))));

  const res = await openAiClient(gw.url('oai')).responses.create({ model: 'my-model', input: 'hi', previous_response_id: 'resp_prev' });
  t.equal(res.output_text, 'from openai');
  t.equal(res.model, 'my-model', 'the response names the model the client asked for');
  t.equal(seen[0]?.path, '/v1/responses');
  t.equal(seen[0]?.body.model, 'gpt-4.1', 'model_map applied');
  t.equal(seen[0]?.body.temperature, 0.1, 'options merged');
  t.equal(seen[0]?.body.previous_response_id, 'resp_prev', 'previous_response_id kept for OpenAI');
  t.equal(seen[0]?.auth, 'Bearer sk-test', "the endpoint's key");
  const events: Array<{ type: string; response?: { model: string } }> = [];
  for await (const ev of await openAiClient(gw.url('oai')).responses.create({ model: 'my-model', input: 'hi', stream: true })) events.push(ev as never);
  t.same(events.map((e) => e.type), ['response.created', 'response.output_text.delta', 'response.completed'], 'the upstream events pass through');
  t.same(events.filter((e) => e.response).map((e) => e.response?.model), ['my-model', 'my-model'], 'relabelled with the model the client asked for');
  t.equal(seen[1]?.body.model, 'gpt-4.1');
});

t.test('responses.create to an OpenAI-compatible server without the Responses API (responses_api: chat)', async (t) => {
  const mock = await startMock('openai', (req) => (JSON.stringify(req.body).includes('forecast?') && !JSON.stringify(req.body).includes('temp') ? { toolCalls: [{ id: 'call_1', name: 'get_forecast', args: { city: 'Paris' } }] } : { text: 'hello there', usage: { input: 9, output: 2 } }));
  const gw = await startGateway(gatewayYaml([{ name: 'ds', cluster: 'ds', endpoints: [{ id: 'ds', provider: 'deepseek', apiKey: 'sk-test', port: mock.port, extra: { options: { responses_api: 'chat' } } }] }]));
  t.teardown(async () => (await gw.close(), await mock.close()));
  const client = openAiClient(gw.url('ds'));

  const res = await client.responses.create({ model: 'deepseek-chat', instructions: 'Be terse.', input: 'Say hello', max_output_tokens: 20 });
  t.equal(res.output_text, 'hello there');
  t.equal(res.usage?.input_tokens, 9);
  t.equal(mock.requests.at(-1)?.path, '/v1/chat/completions', 'sent as Chat Completions');
  t.same((mock.requests.at(-1)?.body as { messages: unknown }).messages, [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Say hello' }]);
  const final = await client.responses.stream({ model: 'deepseek-chat', input: 'Say hello' }).finalResponse();
  t.equal(final.output_text, 'hello there', 'streamed');
  t.equal(final.usage?.output_tokens, 2, 'streamed usage');
  const call = await client.responses.stream({ model: 'deepseek-chat', input: 'forecast? Paris', tools: [TOOL] }).finalResponse();
  const fc = call.output.find((o) => o.type === 'function_call');
  t.ok(fc?.type === 'function_call' && fc.call_id === 'call_1' && JSON.parse(fc.arguments).city === 'Paris', 'a streamed function call');
  if (fc?.type === 'function_call') {
    const back = await client.responses.create({ model: 'deepseek-chat', tools: [TOOL], input: [{ role: 'user', content: 'forecast? Paris' }, fc, { type: 'function_call_output', call_id: fc.call_id, output: '{"temp":21}' }] });
    t.equal(back.output_text, 'hello there', 'the answer after the tool result');
  }
  t.equal(mock.rejections.length, 0, 'the strict mock accepted every translated request');
});
