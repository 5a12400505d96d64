// Every local reply on an LLM route comes out in the client's own API shape, before the stream (no upstream answered:
// 503 DGP_ERR_UPSTREAM_UNAVAILABLE) and mid-stream (the upstream stream is cut: an error event, then an abrupt end),
// for OpenAI, Anthropic and Gemini (alt=sse) clients on same-API routes. The official SDKs parse the gateway's exact
// bytes (captured from a raw socket) into their error classes.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { anthropicClient, gatewayYaml, openAiClient } from './helpers.js';

/** A provider that starts a stream in its own API's format (from the path), then resets the connection. */
async function startCuttingUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (req.url?.includes(':streamGenerateContent')) {
      res.write(`data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: 'Hel' }], role: 'model' }, index: 0 }] })}\r\n\r\n`);
    } else if (req.url === '/v1/messages') {
      res.write(`event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'x', content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 1 } } })}\n\n`);
      res.write(`event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n`);
      res.write(`event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } })}\n\n`);
    } else {
      res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'x', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] })}\n\n`);
    }
    setTimeout(() => res.socket?.destroy(), 20);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

/** A port nothing listens on: every attempt is refused. */
async function deadPort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Wire {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request on a raw socket, read until the gateway closes it; the chunked body decoded (a cut stream has no last chunk). */
async function rawExchange(base: string, path: string, body: object): Promise<Wire> {
  const { port } = new URL(base);
  const socket = connect(Number(port), '127.0.0.1');
  const text = JSON.stringify(body);
  socket.write(`POST ${path} HTTP/1.1\r\nhost: gw\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  const parts: Buffer[] = [];
  socket.on('data', (c: Buffer) => parts.push(c));
  await new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const raw = Buffer.concat(parts).toString('utf8');
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = raw.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
  let rest = raw.slice(split + 4);
  let out = rest;
  if (headers['transfer-encoding'] === 'chunked') {
    out = '';
    for (;;) {
      const eol = rest.indexOf('\r\n');
      if (eol < 0) break;
      const size = Number.parseInt(rest.slice(0, eol), 16);
      if (!(size > 0)) break;
      out += rest.slice(eol + 2, eol + 2 + size);
      rest = rest.slice(eol + 2 + size + 2);
    }
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: out };
}

/** A fetch that answers the SDK with bytes the gateway sent, so the SDK's own parser decides what they mean. */
const replay = (w: Wire) => async (): Promise<Response> => new Response(w.body, { status: w.status, headers: { 'content-type': w.headers['content-type'] ?? '' } });

const settle = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);

t.test('local replies in the client API shape, before and during the stream', async (t) => {
  const up = await startCuttingUpstream();
  const dead = await deadPort();
  const gw = await startGateway(
    gatewayYaml(
      (['openai', 'anthropic', 'gemini'] as const).flatMap((p) => [
        { name: `${p}-down`, cluster: `${p}-down`, endpoints: [{ id: `${p}-down`, provider: p, port: dead }] },
        { name: `${p}-cut`, cluster: `${p}-cut`, endpoints: [{ id: `${p}-cut`, provider: p, port: up.port }] },
      ]),
    ),
  );
  t.teardown(async () => (await gw.close(), await up.close()));
  const chat = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'hi' }] };
  const messages = { model: 'claude-x', max_tokens: 16, messages: [{ role: 'user' as const, content: 'hi' }] };
  const gemini = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

  t.test('OpenAI', async (t) => {
    const down = await settle(openAiClient(gw.url('openai-down')).chat.completions.create(chat));
    t.ok(down instanceof OpenAI.InternalServerError, 'before the stream: the SDK raises its 5xx class');
    t.match(down, { status: 503, code: 'DGP_ERR_UPSTREAM_UNAVAILABLE', type: 'server_error' });
    const w = await rawExchange(gw.url('openai-cut'), '/v1/chat/completions', { ...chat, stream: true });
    t.match(w.body, /"Hel".*\n\ndata: \{"error":\{"message":"upstream stream ended abnormally[^"]*","type":"server_error","param":null,"code":"DGP_ERR_UPSTREAM_STREAM_CUT"\}\}\n\n$/s);
    let text = '';
    const sdk = new OpenAI({ apiKey: 'k', baseURL: 'http://gw/v1', maxRetries: 0, fetch: replay(w) });
    const mid = await settle((async () => {
      for await (const c of await sdk.chat.completions.create({ ...chat, stream: true })) text += c.choices[0]?.delta.content ?? '';
    })());
    t.equal(text, 'Hel');
    t.ok(mid instanceof OpenAI.APIError, 'mid-stream: the SDK raises APIError from the error event');
    t.match((mid as InstanceType<typeof OpenAI.APIError>).error, { code: 'DGP_ERR_UPSTREAM_STREAM_CUT' });
  });

  t.test('Anthropic', async (t) => {
    const down = await settle(anthropicClient(gw.url('anthropic-down')).messages.create(messages));
    t.ok(down instanceof Anthropic.InternalServerError, 'before the stream: the SDK raises its 5xx class');
    t.match(down, { status: 503, error: { type: 'error', error: { type: 'overloaded_error', code: 'DGP_ERR_UPSTREAM_UNAVAILABLE' } } });
    const w = await rawExchange(gw.url('anthropic-cut'), '/v1/messages', { ...messages, stream: true });
    t.match(w.body, /\n\nevent: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"upstream stream ended abnormally[^"]*","code":"DGP_ERR_UPSTREAM_STREAM_CUT"\}\}\n\n$/);
    let text = '';
    const sdk = new Anthropic({ apiKey: 'k', baseURL: 'http://gw', maxRetries: 0, fetch: replay(w) });
    const mid = await settle((async () => {
      for await (const ev of sdk.messages.stream(messages)) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
    })());
    t.equal(text, 'Hel');
    t.ok(mid instanceof Anthropic.APIError, 'mid-stream: the SDK raises APIError from the error event');
    t.match((mid as InstanceType<typeof Anthropic.APIError>).error, { type: 'error', error: { type: 'api_error', code: 'DGP_ERR_UPSTREAM_STREAM_CUT' } });
  });

  t.test('Gemini', async (t) => {
    const down = await rawExchange(gw.url('gemini-down'), '/v1beta/models/gemini-2.5-flash:generateContent', gemini);
    t.equal(down.status, 503);
    t.match(JSON.parse(down.body), {
      error: { code: 503, status: 'UNAVAILABLE', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'DGP_ERR_UPSTREAM_UNAVAILABLE' }] },
    });
    const sse = await rawExchange(gw.url('gemini-cut'), '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', gemini);
    const events = sse.body.split('\r\n\r\n').filter((e) => e !== '');
    t.equal(events.length, 2, 'the text event, then the error event');
    t.match(JSON.parse(events[1]!.replace(/^data: /, '')), { error: { code: 502, status: 'INTERNAL', details: [{ reason: 'DGP_ERR_UPSTREAM_STREAM_CUT' }] } });
    t.notMatch(sse.body, /event: error/, 'no OpenAI or Anthropic event name in a Gemini stream');
  });

  t.test('host replies after the route matched (413 before the body is read) are rendered too', async (t) => {
    const { port } = new URL(gw.url('anthropic-down'));
    const socket = connect(Number(port), '127.0.0.1');
    socket.write('POST /v1/messages HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\ncontent-length: 30000000\r\n\r\n');
    const parts: Buffer[] = [];
    socket.on('data', (c: Buffer) => parts.push(c));
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const raw = Buffer.concat(parts).toString('utf8');
    t.match(raw, /^HTTP\/1\.1 413 /);
    t.match(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)), { type: 'error', error: { type: 'request_too_large', code: 'DGP_ERR_HTTP_BODY_TOO_LARGE' } });
  });

  t.test('no route on an LLM listener: the chain renderer answers in the API shape of the path', async (t) => {
    const narrow = await startGateway(
      gatewayYaml([{ name: 'only-chat', cluster: 'only-chat', endpoints: [{ id: 'e', provider: 'openai', port: dead }] }]).replace('{prefix: /}', '{prefix: /v1/chat}'),
    );
    t.teardown(() => narrow.close());
    const base = narrow.url('only-chat');
    const o = await settle(new OpenAI({ apiKey: 'k', baseURL: `${base}/v1`, maxRetries: 0 }).embeddings.create({ model: 'e', input: 'x' }));
    t.ok(o instanceof OpenAI.NotFoundError, 'OpenAI SDK: NotFoundError');
    t.match(o, { status: 404, code: 'DGP_ERR_HTTP_NO_ROUTE', type: 'not_found_error' });
    const a = await settle(anthropicClient(base).messages.create(messages));
    t.ok(a instanceof Anthropic.NotFoundError, 'Anthropic SDK: NotFoundError');
    t.match(a, { error: { type: 'error', error: { type: 'not_found_error', code: 'DGP_ERR_HTTP_NO_ROUTE' } } });
    const g = await fetch(`${base}/v1beta/models/gemini-2.5-flash:generateContent`, { method: 'POST', body: JSON.stringify(gemini) });
    t.equal(g.status, 404);
    t.match(await g.json(), { error: { code: 404, status: 'NOT_FOUND', details: [{ reason: 'DGP_ERR_HTTP_NO_ROUTE' }] } });
  });
});
