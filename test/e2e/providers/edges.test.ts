// Edges of translation through the REAL gateway: a body that is not JSON and a field the provider cannot express are
// 400s in the client's error shape; a translated stream cut mid-way fails each SDK after the text that arrived, with an
// error in its own API's shape; an unknown llm_meta.provider label is warned about when the config is loaded.
import OpenAI from 'openai';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { anthropicClient, gatewayYaml, openAiClient } from './helpers.js';

/** Every byte the gateway sends for one request, read from a raw socket until it closes. */
async function rawExchange(base: string, path: string, body: string): Promise<string> {
  const { port } = new URL(base);
  const socket = connect(Number(port), '127.0.0.1');
  socket.write(`POST ${path} HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const parts: Buffer[] = [];
  socket.on('data', (c: Buffer) => parts.push(c));
  await new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return Buffer.concat(parts).toString('utf8');
}

/** A provider that starts a stream in its own format, then resets the connection. */
async function startCuttingUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const anthropicEv = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const openAiChunk = (delta: object) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'x', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
  const server = createServer((req, res: ServerResponse) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (req.url === '/v1/messages') {
      res.write(anthropicEv('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'x', content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 1 } } }));
      res.write(anthropicEv('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
      res.write(anthropicEv('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hel' } }));
    } else {
      res.write(openAiChunk({ role: 'assistant', content: '' }));
      res.write(openAiChunk({ content: 'Hel' }));
    }
    setTimeout(() => res.socket?.destroy(), 20);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

t.test('translation edges through the gateway', async (t) => {
  const up = await startCuttingUpstream();
  const gw = await startGateway(
    gatewayYaml([
      { name: 'claude', cluster: 'claude', endpoints: [{ id: 'claude', provider: 'anthropic', port: up.port }] },
      { name: 'gpt', cluster: 'gpt', endpoints: [{ id: 'gpt', provider: 'openai', port: up.port, extra: { model_map: { '*': 'gpt-4o' } } }] },
      { name: 'odd', cluster: 'odd', endpoints: [{ id: 'odd', provider: 'my-llm', port: up.port }] },
    ]),
  );
  t.teardown(async () => (await gw.close(), await up.close()));

  const warn = gw.logs.find((l) => String(l.msg).includes('"my-llm"'));
  t.match(warn, { level: 'warn', provider: 'my-llm', kind: 'dgp.adapter.provider.openai' }, 'an unknown provider label is warned about at load');

  const bad = await fetch(`${gw.url('claude')}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
  t.equal(bad.status, 400);
  t.match(await bad.json(), { error: { code: 'DGP_ERR_HTTP_BAD_JSON' } }, 'a body that is not JSON cannot be translated: 400, OpenAI shape');

  const n2 = await openAiClient(gw.url('claude')).chat.completions.create({ model: 'm', n: 2, messages: [{ role: 'user', content: 'hi' }] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(n2 instanceof OpenAI.BadRequestError, 'n > 1 to Anthropic: BadRequestError');
  t.match((n2 as InstanceType<typeof OpenAI.APIError>).error, { code: 'DGP_ERR_PROVIDER_UNTRANSLATABLE' });

  let text = '';
  const cut = await (async () => {
    const stream = await openAiClient(gw.url('claude')).chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal(text, 'Hel', 'the OpenAI client read the text before the cut');
  // The SDK throws on the error frame, or on the cut itself when its fetch drops the queued frame as the socket resets.
  t.ok(cut instanceof Error, 'then the OpenAI client fails, never a clean end');
  const wire = await rawExchange(gw.url('claude'), '/v1/chat/completions', JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
  t.match(wire, /data: \{"error":\{"message":"upstream stream ended abnormally[^"]*","type":"server_error","param":null,"code":"DGP_ERR_UPSTREAM_STREAM_CUT"\}\}\n\n/, 'on the wire: an OpenAI error object');
  t.notMatch(wire, /\r\n0\r\n\r\n$/, 'and no terminating chunk');

  let atext = '';
  const acut = await (async () => {
    const stream = anthropicClient(gw.url('gpt')).messages.stream({ model: 'm', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    for await (const ev of stream) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') atext += ev.delta.text;
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal(atext, 'Hel', 'the Anthropic client read the text before the cut');
  t.ok(acut instanceof Error, 'then the Anthropic client fails, never a clean end');
  const awire = await rawExchange(gw.url('gpt'), '/v1/messages', JSON.stringify({ model: 'm', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] }));
  t.match(awire, /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"upstream stream ended abnormally[^"]*"\}\}\n\n/, 'on the wire: an Anthropic error event');
});
